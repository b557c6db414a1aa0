// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./IdentityLedger.sol";

/// No investor identity may hold more than the configured maximum across all its wallets
/// (0 = no maximum configured). Checked before mints and transfers, and enforced again after every
/// movement, so an agent's forced transfer cannot break it either.
contract IdentityMaxBalanceModule is IdentityLedger {
    /// The movement would leave `identity` holding `balance`, above `maxBalance`.
    error MaxBalanceExceeded(address identity, uint256 balance, uint256 maxBalance);

    event MaxBalanceSet(address indexed compliance, uint256 maxBalance);

    mapping(address => uint256) private _max;

    function setMaxBalance(uint256 limit) external onlyBoundCompliance {
        _max[msg.sender] = limit;
        emit MaxBalanceSet(msg.sender, limit);
    }

    function maxBalance(address _compliance) external view returns (uint256) {
        return _max[_compliance];
    }

    function moduleCheck(address _from, address _to, uint256 _value, address _compliance)
        external view override returns (bool)
    {
        uint256 max = _max[_compliance];
        if (max == 0) return true;
        address receiver = identityOf(_compliance, _to);
        if (_from != address(0) && identityOf(_compliance, _from) == receiver) return true;
        uint256 held = identityBalance(_compliance, receiver);
        return held <= max && _value <= max - held;
    }

    function moduleMintAction(address _to, uint256 _value) external override onlyBoundCompliance {
        (address receiver,) = _credit(msg.sender, _to, _value);
        _enforce(msg.sender, receiver);
    }

    function moduleTransferAction(address _from, address _to, uint256 _value) external override onlyBoundCompliance {
        (address sender,) = _debit(msg.sender, _from, _value);
        (address receiver,) = _credit(msg.sender, _to, _value);
        if (receiver != sender) _enforce(msg.sender, receiver);
    }

    function moduleBurnAction(address _from, uint256 _value) external override onlyBoundCompliance {
        _debit(msg.sender, _from, _value);
    }

    function name() external pure override returns (string memory) {
        return "IdentityMaxBalanceModule";
    }

    function _enforce(address _compliance, address identity) private view {
        uint256 max = _max[_compliance];
        uint256 held = identityBalance(_compliance, identity);
        if (max != 0 && held > max) revert MaxBalanceExceeded(identity, held, max);
    }
}
