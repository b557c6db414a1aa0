// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

/// The part of a T-REX 4.1.6 Token this contract uses (it must be an agent of that token).
interface ISecurityToken {
    function name() external view returns (string memory);
    function symbol() external view returns (string memory);
    function decimals() external view returns (uint8);
    function paused() external view returns (bool);
    function isFrozen(address wallet) external view returns (bool);
    function getFrozenTokens(address wallet) external view returns (uint256);
    function balanceOf(address wallet) external view returns (uint256);
    function mint(address to, uint256 amount) external;
    function burn(address from, uint256 amount) external;
}

/// A plain ERC-20 twin of one ERC-3643 security token, and its converter.
///
/// Why one contract: converting is the security token's burn and this token's mint (and back: this
/// token's burn and the security token's mint) in ONE transaction, so no crash can leave one leg done
/// without the other. Only the converter (the platform's agent wallet) may convert; the contract must
/// be an agent of the security token (`addAgent`), whose own rules still apply: converting back mints
/// security tokens, so the identity registry and the compliance modules can refuse the receiver.
/// Converting takes only free tokens (not frozen, wallet not frozen), and nothing converts while the
/// security token is paused (an ERC-20 would otherwise let tokens move during the pause).
/// Transfers of this ERC-20 are free: no identity registry, no compliance modules.
contract ConvertibleERC20 {
    error NotConverter(address caller);
    error ZeroWallet();
    error ZeroAmount();
    error SecurityTokenPaused();
    error WalletFrozen(address wallet);
    error NotEnoughFreeTokens(address wallet, uint256 free, uint256 asked);
    error InsufficientBalance(address wallet, uint256 balance, uint256 asked);
    error InsufficientAllowance(address spender, uint256 allowance, uint256 asked);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event ConverterChanged(address indexed previous, address indexed converter);
    /// Security tokens burnt and the same amount of this token minted to the same wallet.
    event Converted(address indexed wallet, uint256 amount);
    /// This token burnt and the same amount of security tokens minted to the same wallet.
    event ConvertedBack(address indexed wallet, uint256 amount);

    ISecurityToken public immutable securityToken;
    uint8 public immutable decimals;
    string public name;
    string public symbol;
    address public converter;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    modifier onlyConverter() {
        if (msg.sender != converter) revert NotConverter(msg.sender);
        _;
    }

    constructor(ISecurityToken token, address converter_) {
        if (address(token) == address(0) || converter_ == address(0)) revert ZeroWallet();
        securityToken = token;
        decimals = token.decimals();
        name = string.concat(token.name(), " (ERC-20)");
        symbol = string.concat(token.symbol(), "20");
        converter = converter_;
        emit ConverterChanged(address(0), converter_);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientAllowance(msg.sender, allowed, value);
            allowance[from][msg.sender] = allowed - value;
        }
        _move(from, to, value);
        return true;
    }

    /// Hand the converter role to another wallet (a rotated agent key).
    function setConverter(address next) external onlyConverter {
        if (next == address(0)) revert ZeroWallet();
        emit ConverterChanged(converter, next);
        converter = next;
    }

    /// Burn `amount` free security tokens of `wallet` and mint as many of this token to it.
    function convert(address wallet, uint256 amount) external onlyConverter {
        _checkOpen(wallet, amount);
        uint256 free = securityToken.balanceOf(wallet) - securityToken.getFrozenTokens(wallet);
        if (amount > free) revert NotEnoughFreeTokens(wallet, free, amount);
        securityToken.burn(wallet, amount);
        totalSupply += amount;
        balanceOf[wallet] += amount;
        emit Transfer(address(0), wallet, amount);
        emit Converted(wallet, amount);
    }

    /// Burn `amount` of this token held by `wallet` and mint as many security tokens to it
    /// (the security token refuses a wallet its identity registry does not verify).
    function convertBack(address wallet, uint256 amount) external onlyConverter {
        _checkOpen(wallet, amount);
        uint256 held = balanceOf[wallet];
        if (held < amount) revert InsufficientBalance(wallet, held, amount);
        balanceOf[wallet] = held - amount;
        totalSupply -= amount;
        emit Transfer(wallet, address(0), amount);
        securityToken.mint(wallet, amount);
        emit ConvertedBack(wallet, amount);
    }

    function _checkOpen(address wallet, uint256 amount) private view {
        if (wallet == address(0)) revert ZeroWallet();
        if (amount == 0) revert ZeroAmount();
        if (securityToken.paused()) revert SecurityTokenPaused();
        if (securityToken.isFrozen(wallet)) revert WalletFrozen(wallet);
    }

    function _move(address from, address to, uint256 value) private {
        if (to == address(0)) revert ZeroWallet();
        uint256 held = balanceOf[from];
        if (held < value) revert InsufficientBalance(from, held, value);
        balanceOf[from] = held - value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
