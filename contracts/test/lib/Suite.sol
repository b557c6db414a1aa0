// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./Vm.sol";
import "./Harness.sol";

/// The real ModularCompliance (pinned artifact bytecode), a harness token and registry, and helpers
/// to bind and configure modules the way the platform does (owner -> callModuleFunction).
abstract contract SuiteTest is TestBase {
    uint16 internal constant FRANCE = 250;
    uint16 internal constant GERMANY = 276;
    uint16 internal constant USA = 840;

    IModularCompliance internal compliance;
    HarnessRegistry internal registry;
    HarnessToken internal token;

    function _suite() internal {
        bytes memory code = vm.getCode("artifacts/ModularCompliance.json");
        address deployed;
        assembly {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        compliance = IModularCompliance(deployed);
        (bool ok,) = deployed.call(abi.encodeWithSignature("init()"));
        require(ok, "ModularCompliance.init failed");
        registry = new HarnessRegistry();
        token = new HarnessToken(compliance, address(registry));
        compliance.bindToken(address(token));
    }

    function _configure(address module, bytes memory call) internal {
        compliance.callModuleFunction(call, module);
    }

    /// An investor's wallet `index` of identity `id`, resident in `country`.
    function _wallet(uint256 id, uint256 index, uint16 country) internal returns (address wallet) {
        wallet = address(uint160(0x10000 + id * 0x100 + index));
        registry.register(wallet, address(uint160(0xA0000 + id)), country);
    }
}
