// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "@tokenysolutions/t-rex/contracts/compliance/modular/modules/IModule.sol";

/// The three read-only views of the T-REX suite a module needs (declared here to keep imports small).
interface IBoundCompliance {
    function getTokenBound() external view returns (address);
}

interface ISuiteToken {
    function balanceOf(address wallet) external view returns (uint256);
    function totalSupply() external view returns (uint256);
    function identityRegistry() external view returns (address);
}

interface ISuiteRegistry {
    function identity(address wallet) external view returns (address);
    function investorCountry(address wallet) external view returns (uint16);
}

/// Libertum's base for T-REX 4.1.6 compliance modules: one deployed instance serves many
/// ModularCompliance contracts, so every piece of state is keyed by the compliance address.
/// Configuration functions are `onlyBoundCompliance`: the only way to reach them is the
/// compliance owner's `ModularCompliance.callModuleFunction`, which makes msg.sender the compliance.
abstract contract LibertumModule is IModule {
    /// A call that only a bound ModularCompliance may make came from elsewhere.
    error OnlyBoundCompliance(address caller);
    /// bind/unbind must be called by the compliance itself, for itself.
    error OnlyComplianceItself(address caller, address compliance);
    error ZeroAddress();
    error AlreadyBound(address compliance);

    mapping(address => bool) private _bound;

    modifier onlyBoundCompliance() {
        if (!_bound[msg.sender]) revert OnlyBoundCompliance(msg.sender);
        _;
    }

    function bindCompliance(address _compliance) external override {
        if (_compliance == address(0)) revert ZeroAddress();
        if (msg.sender != _compliance) revert OnlyComplianceItself(msg.sender, _compliance);
        if (_bound[_compliance]) revert AlreadyBound(_compliance);
        _bound[_compliance] = true;
        emit ComplianceBound(_compliance);
    }

    function unbindCompliance(address _compliance) external override onlyBoundCompliance {
        if (msg.sender != _compliance) revert OnlyComplianceItself(msg.sender, _compliance);
        _bound[_compliance] = false;
        emit ComplianceUnbound(_compliance);
    }

    function isComplianceBound(address _compliance) external view override returns (bool) {
        return _bound[_compliance];
    }

    /// Stateful modules count holdings from the first mint on: they bind only before any token exists.
    function canComplianceBind(address _compliance) external view virtual override returns (bool) {
        address token = IBoundCompliance(_compliance).getTokenBound();
        return token == address(0) || ISuiteToken(token).totalSupply() == 0;
    }

    function isPlugAndPlay() external pure virtual override returns (bool) {
        return false;
    }

    function _token(address _compliance) internal view returns (ISuiteToken) {
        return ISuiteToken(IBoundCompliance(_compliance).getTokenBound());
    }

    function _registry(address _compliance) internal view returns (ISuiteRegistry) {
        return ISuiteRegistry(_token(_compliance).identityRegistry());
    }
}
