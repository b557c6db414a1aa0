// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./IdentityLedger.sol";
import "./Iso3166.sol";

/// Caps the number of investors (identities holding a non-zero balance), overall and per country
/// of residence (0 = no cap). Checked before mints and transfers and enforced again after every
/// movement, so no sequence of mints, transfers, burns or forced transfers exceeds a cap.
/// An identity counts for the country the registry gave its receiving wallet when it became a holder.
contract InvestorCapModule is IdentityLedger {
    error InvestorCapExceeded(uint256 investors, uint256 cap);
    error CountryInvestorCapExceeded(uint16 country, uint256 investors, uint256 cap);
    /// Configuration refusals: a cap may not be set below the investors already holding tokens.
    error InvestorCapBelowCount(uint256 cap, uint256 investors);
    error CountryInvestorCapBelowCount(uint16 country, uint256 cap, uint256 investors);
    error NotIsoCountry(uint16 country);

    event InvestorCapSet(address indexed compliance, uint256 cap);
    event CountryInvestorCapSet(address indexed compliance, uint16 country, uint256 cap);

    mapping(address => uint256) private _cap;
    mapping(address => uint256) private _investors;
    mapping(address => mapping(uint16 => uint256)) private _countryCap;
    mapping(address => mapping(uint16 => uint256)) private _countryInvestors;
    mapping(address => mapping(address => uint16)) private _holderCountry;

    function setInvestorCap(uint256 cap) external onlyBoundCompliance {
        uint256 investors = _investors[msg.sender];
        if (cap != 0 && cap < investors) revert InvestorCapBelowCount(cap, investors);
        _cap[msg.sender] = cap;
        emit InvestorCapSet(msg.sender, cap);
    }

    function setCountryInvestorCap(uint16 country, uint256 cap) external onlyBoundCompliance {
        if (!Iso3166.isCountry(country)) revert NotIsoCountry(country);
        uint256 investors = _countryInvestors[msg.sender][country];
        if (cap != 0 && cap < investors) revert CountryInvestorCapBelowCount(country, cap, investors);
        _countryCap[msg.sender][country] = cap;
        emit CountryInvestorCapSet(msg.sender, country, cap);
    }

    function investorCap(address _compliance) external view returns (uint256) {
        return _cap[_compliance];
    }

    function countryInvestorCap(address _compliance, uint16 country) external view returns (uint256) {
        return _countryCap[_compliance][country];
    }

    function investorCount(address _compliance) external view returns (uint256) {
        return _investors[_compliance];
    }

    function countryInvestorCount(address _compliance, uint16 country) external view returns (uint256) {
        return _countryInvestors[_compliance][country];
    }

    function moduleCheck(address _from, address _to, uint256 _value, address _compliance)
        external view override returns (bool)
    {
        address receiver = identityOf(_compliance, _to);
        if (_value == 0 || identityBalance(_compliance, receiver) > 0) return true;
        address sender = _from == address(0) ? address(0) : identityOf(_compliance, _from);
        if (sender == receiver) return true;
        // The sender's identity leaves the register when it gives away all it holds: its seat frees up.
        bool senderLeaves = sender != address(0) && _value >= identityBalance(_compliance, sender);
        uint256 cap = _cap[_compliance];
        if (cap != 0 && _investors[_compliance] + 1 - (senderLeaves ? 1 : 0) > cap) return false;
        uint16 country = _registry(_compliance).investorCountry(_to);
        uint256 countryCap = _countryCap[_compliance][country];
        if (countryCap == 0) return true;
        bool seatFrees = senderLeaves && _holderCountry[_compliance][sender] == country;
        return _countryInvestors[_compliance][country] + 1 - (seatFrees ? 1 : 0) <= countryCap;
    }

    function moduleMintAction(address _to, uint256 _value) external override onlyBoundCompliance {
        _arrive(msg.sender, _to, _value);
    }

    function moduleTransferAction(address _from, address _to, uint256 _value) external override onlyBoundCompliance {
        _leave(msg.sender, _from, _value);
        _arrive(msg.sender, _to, _value);
    }

    function moduleBurnAction(address _from, uint256 _value) external override onlyBoundCompliance {
        _leave(msg.sender, _from, _value);
    }

    function name() external pure override returns (string memory) {
        return "InvestorCapModule";
    }

    function _arrive(address _compliance, address wallet, uint256 value) private {
        (address identity, bool isNew) = _credit(_compliance, wallet, value);
        if (!isNew) return;
        uint16 country = _registry(_compliance).investorCountry(wallet);
        _holderCountry[_compliance][identity] = country;
        uint256 investors = ++_investors[_compliance];
        uint256 inCountry = ++_countryInvestors[_compliance][country];
        uint256 cap = _cap[_compliance];
        if (cap != 0 && investors > cap) revert InvestorCapExceeded(investors, cap);
        uint256 countryCap = _countryCap[_compliance][country];
        if (countryCap != 0 && inCountry > countryCap) {
            revert CountryInvestorCapExceeded(country, inCountry, countryCap);
        }
    }

    function _leave(address _compliance, address wallet, uint256 value) private {
        (address identity, bool emptied) = _debit(_compliance, wallet, value);
        if (!emptied) return;
        _investors[_compliance] -= 1;
        _countryInvestors[_compliance][_holderCountry[_compliance][identity]] -= 1;
        delete _holderCountry[_compliance][identity];
    }
}
