// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./lib/Suite.sol";
import "../src/compliance/CountryAllowListModule.sol";
import "../src/compliance/SupplyCapModule.sol";
import "../src/compliance/IdentityMaxBalanceModule.sol";
import "../src/compliance/InvestorCapModule.sol";
import "../src/compliance/LockupModule.sol";

/// Gas of one mint and one transfer through the compliance with a single module bound (and with all
/// five). `forge snapshot --match-contract Gas` records them in contracts/.gas-snapshot; the pytest
/// check fails when one grows by more than 5%.
abstract contract GasTest is SuiteTest {
    address internal holder;
    address internal newcomer;
    address internal existing;

    function _modules() internal virtual;

    function setUp() public {
        vm.warp(1_800_000_000);
        _suite();
        _modules();
        holder = _wallet(1, 0, FRANCE);
        newcomer = _wallet(2, 0, FRANCE);
        existing = _wallet(3, 0, FRANCE);
        token.mint(holder, 1_000);
        token.mint(existing, 10);
        vm.warp(block.timestamp + 400 days);  // past any lock-up
    }

    function test_mint_to_new_investor() public {
        token.mint(newcomer, 10);
    }

    function test_mint_to_existing_investor() public {
        token.mint(existing, 10);
    }

    function test_transfer_to_new_investor() public {
        token.transfer(holder, newcomer, 10);
    }

    function test_transfer_to_existing_investor() public {
        token.transfer(holder, existing, 10);
    }

    function _country() internal {
        CountryAllowListModule module = new CountryAllowListModule();
        compliance.addModule(address(module));
        uint16[] memory countries = new uint16[](1);
        countries[0] = FRANCE;
        _configure(address(module), abi.encodeCall(module.allowCountries, (countries)));
    }

    function _supply() internal {
        SupplyCapModule module = new SupplyCapModule();
        compliance.addModule(address(module));
        _configure(address(module), abi.encodeCall(module.setSupplyCap, (1e24)));
    }

    function _maxBalance() internal {
        IdentityMaxBalanceModule module = new IdentityMaxBalanceModule();
        compliance.addModule(address(module));
        _configure(address(module), abi.encodeCall(module.setMaxBalance, (1e24)));
    }

    function _investorCap() internal {
        InvestorCapModule module = new InvestorCapModule();
        compliance.addModule(address(module));
        _configure(address(module), abi.encodeCall(module.setInvestorCap, (100)));
        _configure(address(module), abi.encodeCall(module.setCountryInvestorCap, (FRANCE, 50)));
    }

    function _lockup() internal {
        LockupModule module = new LockupModule();
        compliance.addModule(address(module));
        _configure(address(module), abi.encodeCall(module.setLockupPeriod, (365 days)));
    }
}

contract GasNoModule is GasTest {
    function _modules() internal override {}
}

contract GasCountryAllowList is GasTest {
    function _modules() internal override { _country(); }
}

contract GasSupplyCap is GasTest {
    function _modules() internal override { _supply(); }
}

contract GasIdentityMaxBalance is GasTest {
    function _modules() internal override { _maxBalance(); }
}

contract GasInvestorCap is GasTest {
    function _modules() internal override { _investorCap(); }
}

contract GasLockup is GasTest {
    function _modules() internal override { _lockup(); }
}

contract GasAllModules is GasTest {
    function _modules() internal override {
        _country();
        _supply();
        _maxBalance();
        _investorCap();
        _lockup();
    }
}
