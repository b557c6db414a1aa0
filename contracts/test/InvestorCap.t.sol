// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./lib/Suite.sol";
import "../src/compliance/InvestorCapModule.sol";

contract InvestorCapTest is SuiteTest {
    InvestorCapModule internal module;

    function setUp() public {
        _suite();
        module = new InvestorCapModule();
        compliance.addModule(address(module));
        _configure(address(module), abi.encodeCall(module.setInvestorCap, (10)));
    }

    function test_eleventh_investor_is_refused() public {
        for (uint256 id = 1; id <= 10; id++) token.mint(_wallet(id, 0, FRANCE), 5);
        vm.assertEq(module.investorCount(address(compliance)), 10, "ten investors");
        address eleventh = _wallet(11, 0, FRANCE);
        vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.mint(eleventh, 5);
        // an existing investor may still receive more
        address first = _wallet(1, 0, FRANCE);
        token.mint(first, 5);
        // and a holder leaving frees a seat: a transfer of everything to a newcomer passes
        address tenth = _wallet(10, 0, FRANCE);
        token.transfer(tenth, eleventh, 5);
        vm.assertEq(module.investorCount(address(compliance)), 10, "still ten");
    }

    function test_several_wallets_of_one_identity_count_once() public {
        token.mint(_wallet(1, 0, FRANCE), 5);
        token.mint(_wallet(1, 1, FRANCE), 5);
        vm.assertEq(module.investorCount(address(compliance)), 1, "one identity");
        token.burn(_wallet(1, 0, FRANCE), 5);
        vm.assertEq(module.investorCount(address(compliance)), 1, "still holds through wallet 1");
        token.burn(_wallet(1, 1, FRANCE), 5);
        vm.assertEq(module.investorCount(address(compliance)), 0, "gone");
    }

    function test_country_cap() public {
        _configure(address(module), abi.encodeCall(module.setCountryInvestorCap, (GERMANY, 2)));
        token.mint(_wallet(1, 0, GERMANY), 1);
        token.mint(_wallet(2, 0, GERMANY), 1);
        address thirdGerman = _wallet(3, 0, GERMANY);
        address french = _wallet(4, 0, FRANCE);
        vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.mint(thirdGerman, 1);
        token.mint(french, 1);
        vm.assertEq(module.countryInvestorCount(address(compliance), GERMANY), 2, "two in Germany");
    }

    function test_forced_transfer_cannot_exceed_the_cap() public {
        _configure(address(module), abi.encodeCall(module.setInvestorCap, (2)));
        address first = _wallet(1, 0, FRANCE);
        address newcomer = _wallet(3, 0, FRANCE);
        token.mint(first, 10);
        token.mint(_wallet(2, 0, FRANCE), 10);
        vm.expectRevert(abi.encodeWithSelector(InvestorCapModule.InvestorCapExceeded.selector, 3, 2));
        token.forcedTransfer(first, newcomer, 1);
    }

    function test_cap_below_current_count_is_refused() public {
        token.mint(_wallet(1, 0, FRANCE), 1);
        token.mint(_wallet(2, 0, FRANCE), 1);
        vm.expectRevert(abi.encodeWithSelector(InvestorCapModule.InvestorCapBelowCount.selector, 1, 2));
        _configure(address(module), abi.encodeCall(module.setInvestorCap, (1)));
        vm.expectRevert(abi.encodeWithSelector(
            InvestorCapModule.CountryInvestorCapBelowCount.selector, FRANCE, 1, 2));
        _configure(address(module), abi.encodeCall(module.setCountryInvestorCap, (FRANCE, 1)));
        vm.expectRevert(abi.encodeWithSelector(InvestorCapModule.NotIsoCountry.selector, uint16(1000)));
        _configure(address(module), abi.encodeCall(module.setCountryInvestorCap, (1000, 5)));
    }

    function test_only_the_compliance_configures() public {
        vm.expectRevert(abi.encodeWithSelector(LibertumModule.OnlyBoundCompliance.selector, address(this)));
        module.setInvestorCap(100);
    }

    function test_binding_refused_once_tokens_exist() public {
        token.mint(_wallet(1, 0, FRANCE), 1);
        InvestorCapModule late = new InvestorCapModule();
        vm.expectRevert("compliance is not suitable for binding to the module");
        compliance.addModule(address(late));
    }

    function testFuzz_count_matches_holders(uint8 seed, uint256 amount) public {
        amount = _bound(amount, 1, 1e30);
        uint256 holders;
        for (uint256 id = 1; id <= 10; id++) {
            if ((seed >> (id % 8)) & 1 == 1) {
                token.mint(_wallet(id, 0, FRANCE), amount);
                holders++;
            }
        }
        vm.assertEq(module.investorCount(address(compliance)), holders, "count = holders");
    }
}
