// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./LibertumModule.sol";

/// Holdings per investor identity (ONCHAINID), so one investor's several wallets count together.
/// A wallet's balance stays attributed to the identity it had when it first received tokens until
/// the wallet is emptied: a later registry change cannot make the ledger forget or double-count it.
/// A wallet without an identity in the registry counts as its own identity.
abstract contract IdentityLedger is LibertumModule {
    mapping(address => mapping(address => address)) private _walletIdentity;
    mapping(address => mapping(address => uint256)) private _identityBalance;

    /// Total balance of `identity`'s wallets under `_compliance`.
    function identityBalance(address _compliance, address identity) public view returns (uint256) {
        return _identityBalance[_compliance][identity];
    }

    /// The identity a wallet's holdings count for (recorded while it holds tokens, else the registry's).
    function identityOf(address _compliance, address wallet) public view returns (address) {
        address recorded = _walletIdentity[_compliance][wallet];
        if (recorded != address(0)) return recorded;
        address registered = _registry(_compliance).identity(wallet);
        return registered == address(0) ? wallet : registered;
    }

    /// Adds `value` to the receiving wallet's identity; `wasEmpty` when the identity held nothing.
    function _credit(address _compliance, address wallet, uint256 value)
        internal returns (address identity, bool wasEmpty)
    {
        identity = identityOf(_compliance, wallet);
        _walletIdentity[_compliance][wallet] = identity;
        uint256 before = _identityBalance[_compliance][identity];
        _identityBalance[_compliance][identity] = before + value;
        wasEmpty = before == 0 && value > 0;
    }

    /// Removes `value` from the sending wallet's identity; `emptied` when the identity now holds nothing.
    /// Saturates at zero: a module bound to a token with holders (never, see canComplianceBind) must not
    /// make the token unusable.
    function _debit(address _compliance, address wallet, uint256 value)
        internal returns (address identity, bool emptied)
    {
        identity = identityOf(_compliance, wallet);
        uint256 before = _identityBalance[_compliance][identity];
        uint256 left = before > value ? before - value : 0;
        _identityBalance[_compliance][identity] = left;
        emptied = before > 0 && left == 0;
        if (_token(_compliance).balanceOf(wallet) == 0) delete _walletIdentity[_compliance][wallet];
    }
}
