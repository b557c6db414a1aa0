// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

/// The few forge cheatcodes these tests use, declared by us (forge-std is not used: npm's copy is unofficial).
interface Vm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 selector) external;
    function expectRevert() external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    function getCode(string calldata artifactPath) external view returns (bytes memory);
    function assume(bool condition) external pure;
    function assertEq(uint256 left, uint256 right, string calldata message) external pure;
    function assertEq(address left, address right, string calldata message) external pure;
    function assertTrue(bool condition, string calldata message) external pure;
    function assertFalse(bool condition, string calldata message) external pure;
    function assertLe(uint256 left, uint256 right, string calldata message) external pure;
}

/// Base for the tests: the cheatcode handle, a `bound` for fuzz inputs, invariant targets.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    address[] private _targets;

    /// Read by forge's invariant runner: only these contracts are called at random.
    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    function _target(address target) internal {
        _targets.push(target);
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
