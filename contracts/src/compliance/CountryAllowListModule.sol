// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./LibertumModule.sol";
import "./Iso3166.sol";

/// Receivers (of mints and transfers) must reside in an allowed country, read from the token's
/// identity registry. Stateless about holdings, so it may bind to a token that already has holders.
contract CountryAllowListModule is LibertumModule {
    /// The code is not an ISO 3166-1 numeric country code.
    error NotIsoCountry(uint16 country);

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
        return "CountryAllowListModule";
    }
}
