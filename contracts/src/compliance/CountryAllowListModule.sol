// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./LibertumModule.sol";
import "./Iso3166.sol";

/// Receivers (of mints and transfers) must reside in an allowed country, read from the token's
/// identity registry. Checked before mints and transfers and enforced again after every movement,
/// so an agent's forced transfer cannot send tokens to a country outside the list either.
/// Stateless about holdings, so it may bind to a token that already has holders.
contract CountryAllowListModule is LibertumModule {
    /// The code is not an ISO 3166-1 numeric country code.
    error NotIsoCountry(uint16 country);
    /// The receiving wallet resides in a country that is not on the list.
    error CountryNotAllowed(address wallet, uint16 country);

    event CountryAllowed(address indexed compliance, uint16 country);
    event CountryDisallowed(address indexed compliance, uint16 country);

    mapping(address => mapping(uint16 => bool)) private _allowed;

    function allowCountries(uint16[] calldata countries) external onlyBoundCompliance {
        for (uint256 i = 0; i < countries.length; i++) {
            if (!Iso3166.isCountry(countries[i])) revert NotIsoCountry(countries[i]);
            _allowed[msg.sender][countries[i]] = true;
            emit CountryAllowed(msg.sender, countries[i]);
        }
    }

    function disallowCountries(uint16[] calldata countries) external onlyBoundCompliance {
        for (uint256 i = 0; i < countries.length; i++) {
            _allowed[msg.sender][countries[i]] = false;
            emit CountryDisallowed(msg.sender, countries[i]);
        }
    }

    function isCountryAllowed(address _compliance, uint16 country) external view returns (bool) {
        return _allowed[_compliance][country];
    }

    function moduleCheck(address, address _to, uint256, address _compliance) external view override returns (bool) {
        return _allowed[_compliance][_registry(_compliance).investorCountry(_to)];
    }

    function moduleTransferAction(address, address _to, uint256) external override onlyBoundCompliance {
        _enforce(msg.sender, _to);
    }

    function moduleMintAction(address _to, uint256) external override onlyBoundCompliance {
        _enforce(msg.sender, _to);
    }

    function moduleBurnAction(address, uint256) external override onlyBoundCompliance {}

    function _enforce(address _compliance, address wallet) private view {
        uint16 country = _registry(_compliance).investorCountry(wallet);
        if (!_allowed[_compliance][country]) revert CountryNotAllowed(wallet, country);
    }

    function canComplianceBind(address) external pure override returns (bool) {
        return true;
    }

    function isPlugAndPlay() external pure override returns (bool) {
        return true;
    }

    function name() external pure override returns (string memory) {
        return "CountryAllowListModule";
    }
}
