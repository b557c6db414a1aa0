// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import "./lib/Vm.sol";
import "../src/distributions/DividendDistributor.sol";

/// A stablecoin with a blocklist (as USDC has): transfers to a blocked wallet revert.
contract BlockingUSD is ERC20 {
    mapping(address => bool) public blocked;

    constructor() ERC20("Blocking USD", "bUSD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function block_(address wallet) external {
        blocked[wallet] = true;
    }

    function _beforeTokenTransfer(address, address to, uint256) internal view override {
        require(!blocked[to], "blocked");
    }
}

/// A token that answers `false` instead of reverting for one recipient.
contract FalseUSD is ERC20 {
    address public refused;

    constructor(address refused_) ERC20("False USD", "fUSD") {
        refused = refused_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        if (to == refused) return false;
        return super.transferFrom(from, to, amount);
    }
}

contract DividendDistributorTest is TestBase {
    event DividendPaid(bytes32 indexed distributionId, address indexed recipient, address indexed token,
                       uint256 amount);
    event DividendHeld(bytes32 indexed distributionId, address indexed recipient, address indexed token,
                       uint256 amount, bytes reason);

    DividendDistributor internal distributor;
    BlockingUSD internal usd;
    address internal agent = address(0xA6E17);
    address internal treasury = address(0x7EA5);
    bytes32 internal constant DIST = keccak256("distribution-1");

    function setUp() public {
        distributor = new DividendDistributor(agent);
        usd = new BlockingUSD();
        usd.mint(treasury, 1_000_000e6);
        vm.prank(treasury);
        usd.approve(address(distributor), type(uint256).max);
    }

    function _lines(uint256 n) internal pure returns (address[] memory recipients, uint256[] memory amounts) {
        recipients = new address[](n);
        amounts = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            recipients[i] = address(uint160(0x1000 + i));
            amounts[i] = (i + 1) * 1e6;
        }
    }

    function _distribute(bytes32 id, address[] memory recipients, uint256[] memory amounts)
        internal returns (uint256) {
        vm.prank(agent);
        return distributor.distribute(address(usd), treasury, id, recipients, amounts);
    }

    function test_pays_each_line_and_records_it() public {
        (address[] memory recipients, uint256[] memory amounts) = _lines(5);
        vm.assertEq(_distribute(DIST, recipients, amounts), 5, "five paid");
        for (uint256 i = 0; i < 5; i++) {
            vm.assertEq(usd.balanceOf(recipients[i]), amounts[i], "line amount");
            vm.assertTrue(distributor.paid(DIST, recipients[i]), "marked paid");
        }
        vm.assertEq(usd.balanceOf(treasury), 1_000_000e6 - 15e6, "treasury paid the sum");
    }

    function test_a_retried_batch_pays_nobody_twice() public {
        (address[] memory recipients, uint256[] memory amounts) = _lines(4);
        address[] memory firstTwo = new address[](2);
        uint256[] memory firstAmounts = new uint256[](2);
        (firstTwo[0], firstTwo[1], firstAmounts[0], firstAmounts[1]) = (recipients[0], recipients[1], amounts[0],
                                                                          amounts[1]);
        _distribute(DIST, firstTwo, firstAmounts);  // a crash after part of the work
        vm.assertEq(_distribute(DIST, recipients, amounts), 2, "only the two unpaid");
        vm.assertEq(_distribute(DIST, recipients, amounts), 0, "nothing on a third try");
        for (uint256 i = 0; i < 4; i++) vm.assertEq(usd.balanceOf(recipients[i]), amounts[i], "paid once");
    }

    function test_a_duplicate_recipient_in_one_batch_is_paid_once() public {
        address[] memory recipients = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        (recipients[0], recipients[1], amounts[0], amounts[1]) = (address(0xB0B), address(0xB0B), 7, 7);
        vm.assertEq(_distribute(DIST, recipients, amounts), 1, "one line");
        vm.assertEq(usd.balanceOf(address(0xB0B)), 7, "paid once");
    }

    function test_another_distribution_pays_the_same_holder_again() public {
        (address[] memory recipients, uint256[] memory amounts) = _lines(2);
        _distribute(DIST, recipients, amounts);
        vm.assertEq(_distribute(keccak256("distribution-2"), recipients, amounts), 2, "a new distribution");
        vm.assertEq(usd.balanceOf(recipients[1]), 2 * amounts[1], "paid for both");
    }

    function test_a_blocked_recipient_is_held_and_the_batch_goes_on() public {
        (address[] memory recipients, uint256[] memory amounts) = _lines(3);
        usd.block_(recipients[1]);
        vm.expectEmit(true, true, true, true);
        emit DividendPaid(DIST, recipients[0], address(usd), amounts[0]);
        vm.expectEmit(true, true, true, false);
        emit DividendHeld(DIST, recipients[1], address(usd), amounts[1], "");
        vm.expectEmit(true, true, true, true);
        emit DividendPaid(DIST, recipients[2], address(usd), amounts[2]);
        vm.assertEq(_distribute(DIST, recipients, amounts), 2, "two paid");
        vm.assertEq(usd.balanceOf(recipients[1]), 0, "held line unpaid");
        vm.assertFalse(distributor.paid(DIST, recipients[1]), "held line not marked");
    }

    function test_a_held_line_is_paid_by_a_later_retry_once_it_can_receive() public {
        FalseUSD coin = new FalseUSD(address(0xBAD));
        coin.mint(treasury, 100);
        vm.prank(treasury);
        coin.approve(address(distributor), type(uint256).max);
        address[] memory recipients = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        (recipients[0], recipients[1], amounts[0], amounts[1]) = (address(0xBAD), address(0x600D), 10, 20);
        vm.prank(agent);
        vm.assertEq(distributor.distribute(address(coin), treasury, DIST, recipients, amounts), 1, "false is held");
        vm.assertEq(coin.balanceOf(address(0x600D)), 20, "the good line paid");
        vm.assertFalse(distributor.paid(DIST, address(0xBAD)), "refused line unpaid");
    }

    function test_insufficient_treasury_holds_instead_of_reverting() public {
        (address[] memory recipients, uint256[] memory amounts) = _lines(2);
        amounts[1] = 2_000_000e6;  // more than the treasury holds
        vm.assertEq(_distribute(DIST, recipients, amounts), 1, "the affordable line");
        vm.assertFalse(distributor.paid(DIST, recipients[1]), "the other held");
    }

    function test_only_agents_distribute() public {
        (address[] memory recipients, uint256[] memory amounts) = _lines(1);
        vm.expectRevert(DividendDistributor.NotAgent.selector);
        distributor.distribute(address(usd), treasury, DIST, recipients, amounts);
        vm.prank(address(0xE71));
        vm.expectRevert(DividendDistributor.NotAgent.selector);
        distributor.distribute(address(usd), treasury, DIST, recipients, amounts);
    }

    function test_only_the_owner_sets_agents() public {
        vm.prank(agent);
        vm.expectRevert(DividendDistributor.NotOwner.selector);
        distributor.setAgent(address(0xE71), true);
        distributor.setAgent(agent, false);
        (address[] memory recipients, uint256[] memory amounts) = _lines(1);
        vm.prank(agent);
        vm.expectRevert(DividendDistributor.NotAgent.selector);
        distributor.distribute(address(usd), treasury, DIST, recipients, amounts);
    }

    function test_mismatched_lengths_and_a_missing_token_are_refused() public {
        (address[] memory recipients,) = _lines(2);
        (, uint256[] memory one) = _lines(1);
        vm.prank(agent);
        vm.expectRevert(DividendDistributor.LengthMismatch.selector);
        distributor.distribute(address(usd), treasury, DIST, recipients, one);
        vm.prank(agent);
        vm.expectRevert(DividendDistributor.NoToken.selector);
        distributor.distribute(address(0x1234), treasury, DIST, recipients, new uint256[](2));
    }

    function testFuzz_sum_paid_equals_the_lines_paid(uint256 n, uint256 seed) public {
        n = _bound(n, 1, 30);
        address[] memory recipients = new address[](n);
        uint256[] memory amounts = new uint256[](n);
        uint256 expected;
        for (uint256 i = 0; i < n; i++) {
            recipients[i] = address(uint160(0x5000 + i));
            amounts[i] = uint256(keccak256(abi.encode(seed, i))) % 1e9;  // 30 lines stay within the treasury's 1e12
            expected += amounts[i];
        }
        uint256 before = usd.balanceOf(treasury);
        _distribute(DIST, recipients, amounts);
        _distribute(DIST, recipients, amounts);
        vm.assertEq(before - usd.balanceOf(treasury), expected, "exactly the sum of the lines, once");
    }
}
