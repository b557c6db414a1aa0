// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./lib/Suite.sol";
import "../src/compliance/LockupModule.sol";

contract LockupTest is SuiteTest {
    LockupModule internal module;
    uint256 internal constant PERIOD = 180 days;
    address internal alice;
    address internal bob;

    function setUp() public {
        vm.warp(1_800_000_000);
        _suite();
        module = new LockupModule();
        compliance.addModule(address(module));
        _configure(address(module), abi.encodeCall(module.setLockupPeriod, (PERIOD)));
        alice = _wallet(1, 0, FRANCE);
        bob = _wallet(2, 0, FRANCE);
    }

    function test_locked_transfer_refused_then_allowed_after_release() public {
        token.mint(alice, 100);
        vm.assertEq(module.lockedBalance(address(compliance), alice), 100, "all locked");
        vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.transfer(alice, bob, 1);
        vm.warp(block.timestamp + PERIOD - 1);
        vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.transfer(alice, bob, 1);
        vm.warp(block.timestamp + 1);
        token.transfer(alice, bob, 100);
    }

    function test_each_mint_has_its_own_release() public {
        token.mint(alice, 100);
        vm.warp(block.timestamp + 90 days);
        token.mint(alice, 50);
        vm.warp(block.timestamp + 90 days);  // the first mint is free, the second not
        vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.transfer(alice, bob, 101);
        token.transfer(alice, bob, 100);
        (uint256[] memory amounts, uint256[] memory releases) = module.lockedLots(address(compliance), alice);
        vm.assertEq(amounts.length, 1, "one lot");
        vm.assertEq(amounts[0], 50, "second mint");
        vm.assertEq(releases[0], block.timestamp + 90 days, "its release");
    }

    function test_mints_in_one_block_share_a_lot() public {
        token.mint(alice, 100);
        token.mint(alice, 50);
        (uint256[] memory amounts,) = module.lockedLots(address(compliance), alice);
        vm.assertEq(amounts.length, 1, "one lot");
        vm.assertEq(amounts[0], 150, "both mints");
    }

    function test_forced_transfer_moves_locked_tokens_and_their_lock() public {
        token.mint(alice, 100);
        token.forcedTransfer(alice, bob, 70);
        vm.assertEq(module.lockedBalance(address(compliance), alice), 30, "alice keeps 30 locked");
        vm.assertEq(module.lockedBalance(address(compliance), bob), 70, "bob's 70 stay locked");
        vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.transfer(bob, alice, 1);
        vm.warp(block.timestamp + PERIOD);
        token.transfer(bob, alice, 70);
    }

    function test_burn_of_locked_tokens_drops_the_lock() public {
        token.mint(alice, 100);
        vm.warp(block.timestamp + PERIOD);
        token.mint(alice, 10);  // 100 free, 10 locked
        token.burn(alice, 105);  // the free 100 first, then 5 locked
        vm.assertEq(module.lockedBalance(address(compliance), alice), 5, "5 locked left");
    }

    function test_retroactive_lockup_is_refused() public {
        token.mint(alice, 100);
        vm.expectRevert(abi.encodeWithSelector(
            LockupModule.RetroactiveLockup.selector, PERIOD, 365 days, block.timestamp));
        _configure(address(module), abi.encodeCall(module.setLockupPeriod, (365 days)));
        // shortening releases sooner
        _configure(address(module), abi.encodeCall(module.setLockupPeriod, (30 days)));
        vm.warp(block.timestamp + 30 days);
        token.transfer(alice, bob, 100);
        // lengthening is fine once no sold token could be locked again
        vm.warp(block.timestamp + 365 days);
        _configure(address(module), abi.encodeCall(module.setLockupPeriod, (365 days)));
    }

    function test_too_long_lockup_is_refused() public {
        uint256 max = module.MAX_PERIOD();
        vm.expectRevert(abi.encodeWithSelector(LockupModule.LockupTooLong.selector, max + 1, max));
        _configure(address(module), abi.encodeCall(module.setLockupPeriod, (max + 1)));
    }

    function testFuzz_only_unlocked_balance_moves(uint256 minted, uint256 elapsed, uint256 amount) public {
        minted = _bound(minted, 1, 1e36);
        token.mint(alice, minted);
        vm.warp(block.timestamp + _bound(elapsed, 0, 2 * PERIOD));
        amount = _bound(amount, 1, minted);
        bool free = block.timestamp >= 1_800_000_000 + PERIOD;
        if (!free) vm.expectRevert(HarnessToken.TransferNotPossible.selector);
        token.transfer(alice, bob, amount);
    }
}
