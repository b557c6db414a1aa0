// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "@tokenysolutions/t-rex/contracts/compliance/modular/IModularCompliance.sol";

/// Stands in for the identity registry: wallet -> (ONCHAINID, country).
contract HarnessRegistry {
    mapping(address => address) public identity;
    mapping(address => uint16) public investorCountry;

    function register(address wallet, address onchainId, uint16 country) external {
        identity[wallet] = onchainId;
        investorCountry[wallet] = country;
    }
}

/// Calls T-REX 4.1.6's ModularCompliance in the same order as its Token does (canTransfer, then
/// balances, then created/transferred/destroyed; forced transfers and burns skip canTransfer), so
/// the modules run behind the real compliance contract without the whole suite.
contract HarnessToken {
    error TransferNotPossible();

    IModularCompliance public immutable compliance;
    address public immutable identityRegistry;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    constructor(IModularCompliance _compliance, address _registry) {
        compliance = _compliance;
        identityRegistry = _registry;
    }

    function mint(address to, uint256 value) external {
        if (!compliance.canTransfer(address(0), to, value)) revert TransferNotPossible();
        totalSupply += value;
        balanceOf[to] += value;
        compliance.created(to, value);
    }

    function transfer(address from, address to, uint256 value) external {
        if (!compliance.canTransfer(from, to, value)) revert TransferNotPossible();
        _move(from, to, value);
    }

    function forcedTransfer(address from, address to, uint256 value) external {
        _move(from, to, value);
    }

    function burn(address from, uint256 value) external {
        balanceOf[from] -= value;
        totalSupply -= value;
        compliance.destroyed(from, value);
    }

    function _move(address from, address to, uint256 value) private {
        balanceOf[from] -= value;
        balanceOf[to] += value;
        compliance.transferred(from, to, value);
    }
}
