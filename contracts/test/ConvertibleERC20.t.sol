// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./lib/Vm.sol";
import "../src/conversion/ConvertibleERC20.sol";

/// forge's event check, declared here (lib/Vm.sol keeps the cheatcodes the module tests use).
interface VmEmit {
    function expectEmit() external;
}

/// Behaves like T-REX 4.1.6's Token where the converter relies on it: agent-only mint and burn,
/// burns that take frozen tokens too (the converter must refuse them first), pause, wallet freeze,
/// and mints only to verified wallets.
contract SecurityTokenStub {
    error NotAgent();
    error NotVerified();

    string public name = "Harbourside Lofts";
    string public symbol = "HBL";
    uint8 public decimals = 18;
    bool public paused;
    uint256 public totalSupply;
    mapping(address => bool) public isAgent;
    mapping(address => bool) public verified;
    mapping(address => bool) public isFrozen;
    mapping(address => uint256) public getFrozenTokens;
    mapping(address => uint256) public balanceOf;

    constructor() {
        isAgent[msg.sender] = true;
    }

    modifier onlyAgent() {
        if (!isAgent[msg.sender]) revert NotAgent();
        _;
    }

    function addAgent(address agent) external onlyAgent { isAgent[agent] = true; }
    function setPaused(bool value) external onlyAgent { paused = value; }
    function setVerified(address wallet, bool value) external onlyAgent { verified[wallet] = value; }
    function setAddressFrozen(address wallet, bool value) external onlyAgent { isFrozen[wallet] = value; }
    function freezePartialTokens(address wallet, uint256 amount) external onlyAgent { getFrozenTokens[wallet] += amount; }

    function mint(address to, uint256 amount) external onlyAgent {
        if (!verified[to]) revert NotVerified();
        totalSupply += amount;
        balanceOf[to] += amount;
    }

    function burn(address from, uint256 amount) external onlyAgent {
        uint256 free = balanceOf[from] - getFrozenTokens[from];
        if (amount > free) getFrozenTokens[from] -= amount - free;  // as T-REX: a burn unfreezes what it needs
        balanceOf[from] -= amount;
        totalSupply -= amount;
    }
}

contract ConvertibleERC20Test is TestBase {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Converted(address indexed wallet, uint256 amount);
    event ConvertedBack(address indexed wallet, uint256 amount);
    event ConverterChanged(address indexed previous, address indexed converter);

    SecurityTokenStub internal security;
    ConvertibleERC20 internal erc20;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);
    address internal constant STRANGER = address(0x5757);

    function setUp() public {
        security = new SecurityTokenStub();
        erc20 = new ConvertibleERC20(ISecurityToken(address(security)), address(this));
        security.addAgent(address(erc20));
        security.setVerified(ALICE, true);
        security.mint(ALICE, 1_000);
    }

    function test_name_symbol_decimals_follow_the_security_token() public view {
        vm.assertTrue(keccak256(bytes(erc20.name())) == keccak256("Harbourside Lofts (ERC-20)"), "name");
        vm.assertTrue(keccak256(bytes(erc20.symbol())) == keccak256("HBL20"), "symbol");
        vm.assertEq(erc20.decimals(), 18, "decimals");
        vm.assertEq(address(erc20.securityToken()), address(security), "security token");
        vm.assertEq(erc20.converter(), address(this), "converter");
    }

    function test_convert_burns_security_tokens_and_mints_the_same_amount() public {
        VmEmit(address(vm)).expectEmit();
        emit Transfer(address(0), ALICE, 400);
        VmEmit(address(vm)).expectEmit();
        emit Converted(ALICE, 400);
        erc20.convert(ALICE, 400);
        vm.assertEq(security.balanceOf(ALICE), 600, "security balance");
        vm.assertEq(erc20.balanceOf(ALICE), 400, "erc20 balance");
        vm.assertEq(security.totalSupply() + erc20.totalSupply(), 1_000, "supply kept");
    }

    function test_convert_back_burns_erc20_and_mints_security_tokens() public {
        erc20.convert(ALICE, 400);
        VmEmit(address(vm)).expectEmit();
        emit Transfer(ALICE, address(0), 150);
        VmEmit(address(vm)).expectEmit();
        emit ConvertedBack(ALICE, 150);
        erc20.convertBack(ALICE, 150);
        vm.assertEq(security.balanceOf(ALICE), 750, "security balance");
        vm.assertEq(erc20.balanceOf(ALICE), 250, "erc20 balance");
        vm.assertEq(erc20.totalSupply(), 250, "erc20 supply");
    }

    function test_only_the_converter_converts_or_hands_over_the_role() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(ConvertibleERC20.NotConverter.selector, STRANGER));
        erc20.convert(ALICE, 1);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(ConvertibleERC20.NotConverter.selector, ALICE));
        erc20.convertBack(ALICE, 1);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(ConvertibleERC20.NotConverter.selector, STRANGER));
        erc20.setConverter(STRANGER);
    }

    function test_converter_role_moves_to_the_next_wallet() public {
        VmEmit(address(vm)).expectEmit();
        emit ConverterChanged(address(this), BOB);
        erc20.setConverter(BOB);
        vm.expectRevert(abi.encodeWithSelector(ConvertibleERC20.NotConverter.selector, address(this)));
        erc20.convert(ALICE, 1);
        vm.prank(BOB);
        erc20.convert(ALICE, 1);
        vm.assertEq(erc20.balanceOf(ALICE), 1, "converted by the new converter");
    }

    function test_frozen_tokens_and_frozen_wallets_do_not_convert() public {
        security.freezePartialTokens(ALICE, 300);
        vm.expectRevert(abi.encodeWithSelector(ConvertibleERC20.NotEnoughFreeTokens.selector, ALICE, 700, 701));
        erc20.convert(ALICE, 701);
        erc20.convert(ALICE, 700);
        vm.assertEq(security.getFrozenTokens(ALICE), 300, "frozen tokens untouched");
        security.setAddressFrozen(ALICE, true);
        vm.expectRevert(abi.encodeWithSelector(ConvertibleERC20.WalletFrozen.selector, ALICE));
        erc20.convertBack(ALICE, 1);
    }

    function test_nothing_converts_while_the_security_token_is_paused() public {
        erc20.convert(ALICE, 10);
        security.setPaused(true);
        vm.expectRevert(ConvertibleERC20.SecurityTokenPaused.selector);
        erc20.convert(ALICE, 1);
        vm.expectRevert(ConvertibleERC20.SecurityTokenPaused.selector);
        erc20.convertBack(ALICE, 1);
    }

    function test_convert_back_to_an_unverified_wallet_is_refused_by_the_security_token() public {
        erc20.convert(ALICE, 10);
        vm.prank(ALICE);
        erc20.transfer(BOB, 10);  // the ERC-20 moves freely, to anyone
        vm.expectRevert(SecurityTokenStub.NotVerified.selector);
        erc20.convertBack(BOB, 10);
        vm.assertEq(erc20.balanceOf(BOB), 10, "nothing burnt");
    }

    function test_zero_and_too_much_are_refused() public {
        vm.expectRevert(ConvertibleERC20.ZeroAmount.selector);
        erc20.convert(ALICE, 0);
        vm.expectRevert(ConvertibleERC20.ZeroWallet.selector);
        erc20.convert(address(0), 1);
        vm.prank(ALICE);
        vm.expectRevert(ConvertibleERC20.ZeroWallet.selector);
        erc20.transfer(address(0), 0);
        vm.expectRevert(abi.encodeWithSelector(ConvertibleERC20.InsufficientBalance.selector, ALICE, 0, 1));
        erc20.convertBack(ALICE, 1);
    }

    function test_allowance_and_transfer_from() public {
        erc20.convert(ALICE, 100);
        vm.prank(ALICE);
        erc20.approve(BOB, 30);
        vm.prank(BOB);
        erc20.transferFrom(ALICE, STRANGER, 30);
        vm.assertEq(erc20.balanceOf(STRANGER), 30, "moved");
        vm.assertEq(erc20.allowance(ALICE, BOB), 0, "allowance spent");
        vm.prank(BOB);
        vm.expectRevert(abi.encodeWithSelector(ConvertibleERC20.InsufficientAllowance.selector, BOB, 0, 1));
        erc20.transferFrom(ALICE, STRANGER, 1);
    }

    /// Any sequence of converting and converting back keeps the sum of both supplies.
    function testFuzz_supplies_add_up(uint256 minted, uint256 out, uint256 back) public {
        minted = _bound(minted, 1, type(uint128).max);
        security.mint(ALICE, minted);
        uint256 total = security.totalSupply();
        out = _bound(out, 1, total);
        back = _bound(back, 1, out);
        erc20.convert(ALICE, out);
        erc20.convertBack(ALICE, back);
        vm.assertEq(security.totalSupply() + erc20.totalSupply(), total, "supplies add up");
        vm.assertEq(erc20.balanceOf(ALICE), out - back, "erc20 balance");
        vm.assertEq(security.balanceOf(ALICE), total - out + back, "security balance");
    }
}
