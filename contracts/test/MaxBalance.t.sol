// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./lib/Suite.sol";
import "../src/compliance/IdentityMaxBalanceModule.sol";

contract IdentityMaxBalanceTest is SuiteTest {
    IdentityMaxBalanceModule internal module;

    function setUp() public {
        _suite();
        module = new IdentityMaxBalanceModule();
        compliance.addModule(address(module));
        _configure(address(module), abi.encodeCall(module.setMaxBalance, (100)));
    }

    function test_wallets_of_one_identity_share_the_limit() public {
        address first = _wallet(1, 0, FRANCE);
        address second = _wallet(1, 1, FRANCE);
        token.mint(first, 60);
        vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.mint(second, 41);
        token.mint(second, 40);
        vm.assertEq(module.identityBalance(address(compliance), address(uint160(0xA0001))), 100, "identity holds 100");
        // moving between one's own wallets is always fine
        token.transfer(first, second, 60);
    }

    function test_transfer_to_a_full_identity_is_refused() public {
        address full = _wallet(1, 0, FRANCE);
        address other = _wallet(2, 0, FRANCE);
        token.mint(full, 100);
        token.mint(other, 10);
        vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.transfer(other, full, 1);
    }

    function test_forced_transfer_cannot_exceed_the_limit() public {
        address full = _wallet(1, 0, FRANCE);
        address other = _wallet(2, 0, FRANCE);
        token.mint(full, 100);
        token.mint(other, 10);
        vm.expectRevert(abi.encodeWithSelector(
            IdentityMaxBalanceModule.MaxBalanceExceeded.selector, address(uint160(0xA0001)), 101, 100));
        token.forcedTransfer(other, full, 1);
    }

    function testFuzz_no_identity_above_max(uint256 a, uint256 b, uint256 c) public {
        address[3] memory wallets = [_wallet(1, 0, FRANCE), _wallet(1, 1, FRANCE), _wallet(1, 2, FRANCE)];
        uint256[3] memory amounts = [_bound(a, 1, 150), _bound(b, 1, 150), _bound(c, 1, 150)];
        uint256 held;
        for (uint256 i = 0; i < 3; i++) {
            if (held + amounts[i] <= 100) {
                token.mint(wallets[i], amounts[i]);
                held += amounts[i];
            } else {
                vm.expectRevert(HarnessToken.TransferNotPossible.selector);
                token.mint(wallets[i], amounts[i]);
            }
        }
        vm.assertEq(module.identityBalance(address(compliance), address(uint160(0xA0001))), held, "ledger");
    }
}
