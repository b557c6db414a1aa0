// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./LibertumModule.sol";

/// Mints may not take the total supply above the configured cap (0 = no cap configured).
contract SupplyCapModule is LibertumModule {
    /// The cap asked for is below the tokens that already exist.
    error SupplyCapBelowSupply(uint256 cap, uint256 supply);

    event SupplyCapSet(address indexed compliance, uint256 cap);

    mapping(address => uint256) private _cap;

    function setSupplyCap(uint256 cap) external onlyBoundCompliance {
        address token = IBoundCompliance(msg.sender).getTokenBound();
        uint256 supply = token == address(0) ? 0 : ISuiteToken(token).totalSupply();
        if (cap != 0 && cap < supply) revert SupplyCapBelowSupply(cap, supply);
        _cap[msg.sender] = cap;
        emit SupplyCapSet(msg.sender, cap);
    }

    function supplyCap(address _compliance) external view returns (uint256) {
        return _cap[_compliance];
    }

    function moduleCheck(address _from, address, uint256 _value, address _compliance)
        external view override returns (bool)
    {
        uint256 cap = _cap[_compliance];
        if (_from != address(0) || cap == 0) return true;
        uint256 supply = _token(_compliance).totalSupply();
        return supply <= cap && _value <= cap - supply;
    }

    function moduleTransferAction(address, address, uint256) external override onlyBoundCompliance {}

    function moduleMintAction(address, uint256) external override onlyBoundCompliance {}

    function moduleBurnAction(address, uint256) external override onlyBoundCompliance {}

    function canComplianceBind(address) external pure override returns (bool) {
        return true;
    }

    function isPlugAndPlay() external pure override returns (bool) {
        return true;
    }

    function name() external pure override returns (string memory) {
        return "SupplyCapModule";
    }
}
