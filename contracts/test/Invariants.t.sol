// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./lib/Suite.sol";
import "../src/compliance/CountryAllowListModule.sol";
import "../src/compliance/SupplyCapModule.sol";
import "../src/compliance/IdentityMaxBalanceModule.sol";
import "../src/compliance/InvestorCapModule.sol";
import "../src/compliance/LockupModule.sol";

/// Random mints, transfers, burns, forced transfers and time passing over 7 identities with 2 wallets
/// each (the last one resident in a country off the list); every action the modules refuse reverts. Records any transfer that moved locked tokens.
contract Handler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    HarnessToken internal immutable token;
    LockupModule internal immutable lockup;
    address internal immutable compliance;
    address[] public wallets;
    uint256 public lockedMovedByTransfer;

    constructor(HarnessToken _token, LockupModule _lockup, address _compliance, address[] memory _wallets) {
        (token, lockup, compliance, wallets) = (_token, _lockup, _compliance, _wallets);
    }

    function walletCount() external view returns (uint256) {
        return wallets.length;
    }

    function mint(uint256 to, uint256 value) external {
        try token.mint(_pick(to), 1 + value % 40) {} catch {}
    }

    function transfer(uint256 from, uint256 to, uint256 value) external {
        address sender = _pick(from);
        uint256 balance = token.balanceOf(sender);
        if (balance == 0) return;
        uint256 locked = lockup.lockedBalance(compliance, sender);
        try token.transfer(sender, _pick(to), 1 + value % balance) {
            if (token.balanceOf(sender) < locked && _pick(to) != sender) lockedMovedByTransfer += 1;
        } catch {}
    }

    function forcedTransfer(uint256 from, uint256 to, uint256 value) external {
        address sender = _pick(from);
        uint256 balance = token.balanceOf(sender);
        if (balance == 0) return;
        try token.forcedTransfer(sender, _pick(to), 1 + value % balance) {} catch {}
    }

    function burn(uint256 from, uint256 value) external {
        address holder = _pick(from);
        uint256 balance = token.balanceOf(holder);
        if (balance == 0) return;
        try token.burn(holder, 1 + value % balance) {} catch {}
    }

    function wait(uint256 secondsAhead) external {
        vm.warp(block.timestamp + secondsAhead % 60 days);
    }

    function _pick(uint256 seed) private view returns (address) {
        return wallets[seed % wallets.length];
    }
}

contract ComplianceInvariantTest is SuiteTest {
    CountryAllowListModule internal countries;
    SupplyCapModule internal supplyCap;
    IdentityMaxBalanceModule internal maxBalance;
    InvestorCapModule internal investorCap;
    LockupModule internal lockup;
    Handler internal handler;
    uint256 internal constant MAX_BALANCE = 100;
    uint256 internal constant CAP = 4;
    uint256 internal constant FRANCE_CAP = 2;
    uint256 internal constant IDENTITIES = 6;  // allowed residents; identity 6 lives in the USA
    uint256 internal constant SUPPLY_CAP = 250;

    function setUp() public {
        vm.warp(1_800_000_000);
        _suite();
        maxBalance = new IdentityMaxBalanceModule();
        investorCap = new InvestorCapModule();
        lockup = new LockupModule();
        countries = new CountryAllowListModule();
        supplyCap = new SupplyCapModule();
        compliance.addModule(address(countries));
        compliance.addModule(address(supplyCap));
        uint16[] memory allowed = new uint16[](2);
        (allowed[0], allowed[1]) = (FRANCE, GERMANY);
        _configure(address(countries), abi.encodeCall(countries.allowCountries, (allowed)));
        _configure(address(supplyCap), abi.encodeCall(supplyCap.setSupplyCap, (SUPPLY_CAP)));
        compliance.addModule(address(maxBalance));
        compliance.addModule(address(investorCap));
        compliance.addModule(address(lockup));
        _configure(address(maxBalance), abi.encodeCall(maxBalance.setMaxBalance, (MAX_BALANCE)));
        _configure(address(investorCap), abi.encodeCall(investorCap.setInvestorCap, (CAP)));
        _configure(address(investorCap), abi.encodeCall(investorCap.setCountryInvestorCap, (FRANCE, FRANCE_CAP)));
        _configure(address(lockup), abi.encodeCall(lockup.setLockupPeriod, (90 days)));
        address[] memory wallets = new address[](IDENTITIES * 2 + 2);
        for (uint256 id = 0; id <= IDENTITIES; id++) {
            uint16 country = id == IDENTITIES ? USA : id % 2 == 0 ? FRANCE : GERMANY;
            wallets[2 * id] = _wallet(id, 0, country);
            wallets[2 * id + 1] = _wallet(id, 1, country);
        }
        handler = new Handler(token, lockup, address(compliance), wallets);
        _target(address(handler));
    }

    function _identityHoldings(uint256 id) internal view returns (uint256) {
        return token.balanceOf(handler.wallets(2 * id)) + token.balanceOf(handler.wallets(2 * id + 1));
    }

    /// The investor count is the number of identities holding tokens, and never exceeds the caps.
    function invariant_investor_count_within_caps() public {
        uint256 holders;
        uint256 french;
        for (uint256 id = 0; id < IDENTITIES; id++) {
            if (_identityHoldings(id) > 0) {
                holders++;
                if (id % 2 == 0) french++;
            }
        }
        vm.assertEq(investorCap.investorCount(address(compliance)), holders, "count = identities holding");
        vm.assertLe(holders, CAP, "overall cap");
        vm.assertEq(investorCap.countryInvestorCount(address(compliance), FRANCE), french, "French count");
        vm.assertLe(french, FRANCE_CAP, "French cap");
    }

    /// No identity holds more than the maximum, across its wallets; the ledger agrees with the token.
    function invariant_max_balance_per_identity() public {
        for (uint256 id = 0; id < IDENTITIES; id++) {
            uint256 held = _identityHoldings(id);
            vm.assertLe(held, MAX_BALANCE, "identity above max");
            vm.assertEq(maxBalance.identityBalance(address(compliance), address(uint160(0xA0000 + id))), held,
                        "ledger");
        }
    }

    /// Supply never above the cap, and nobody outside the allowed countries ever holds a token.
    function invariant_supply_cap_and_countries() public {
        vm.assertLe(token.totalSupply(), SUPPLY_CAP, "supply above cap");
        vm.assertEq(_identityHoldings(IDENTITIES), 0, "a US resident holds tokens");
    }

    /// Locked tokens move only by forced transfer (or burn): a holder's transfer never touched them,
    /// and no wallet has more locked than it holds.
    function invariant_locked_balance_never_moves_by_transfer() public {
        vm.assertEq(handler.lockedMovedByTransfer(), 0, "a transfer moved locked tokens");
        for (uint256 i = 0; i < handler.walletCount(); i++) {
            address wallet = handler.wallets(i);
            vm.assertLe(lockup.lockedBalance(address(compliance), wallet), token.balanceOf(wallet), "locked > balance");
        }
    }
}
