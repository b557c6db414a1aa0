// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

/// ISO 3166-1 numeric country codes (the codes T-REX identity registries store), as a bitmap of
/// 4 x 256 bits. Generated from pycountry's ISO 3166-1 table (249 codes, 004..894); regenerate
/// with the snippet in docs/contracts.md when ISO adds a country.
library Iso3166 {
    uint256 private constant W0 = 0x4544c784445118119114c444511111101111111114501551111d111191111510;
    uint256 private constant W1 = 0x111d101144444444454454464511411111111111111151111111111100185454;
    uint256 private constant W2 = 0x1511111013101047c045444444d8504c44451111114087b44444441010e91111;
    uint256 private constant W3 = 0x40841000544401078404009159111111;

    function isCountry(uint16 code) internal pure returns (bool) {
        uint256 word;
        if (code < 256) word = W0;
        else if (code < 512) word = W1;
        else if (code < 768) word = W2;
        else if (code < 1024) word = W3;
        else return false;
        return (word >> (code % 256)) & 1 == 1;
    }
}
