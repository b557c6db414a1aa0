// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "@tokenysolutions/t-rex/contracts/_testContracts/TestERC20.sol";

/// T-REX's test ERC-20 with the 6 decimals of USDC: the local chains' stand-in for a USD stablecoin,
/// so payment amounts (cents * 10**4) fit MongoDB's 64-bit integers as they do with the real one.
contract TestUSD is TestERC20 {
    constructor(string memory name, string memory symbol) TestERC20(name, symbol) {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
