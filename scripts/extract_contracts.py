"""Extract the pinned contract artifacts the platform deploys into contracts/artifacts.

Why: the app must deploy exactly the bytecode we reviewed, not whatever a later
`npm install` brings. This script copies ABI + bytecode from the installed npm
packages (exact versions checked) into small JSON files that are committed, and
writes contracts/MANIFEST.json with the sha256 of every bytecode so a change shows
up in review. Running it twice gives byte-identical files.

T-REX 4.1.6 ships the source of its test ERC20 (contracts/_testContracts) but not
its artifact, so that one contract is compiled here with the pinned solc-js and
@openzeppelin/contracts 4.x sources it imports. Every contract under contracts/src (the
platform's own: the compliance modules, TestUSD) is compiled from source here too, with the
same pinned solc-js (0.8.17, the version the T-REX pragmas name); tests/unit/chain checks that
recompiling reproduces the committed bytecode.

Usage: python scripts/extract_contracts.py [--node-modules DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREX = "@tokenysolutions/t-rex"
ONCHAINID = "@onchain-id/solidity"
SOLC = "solc"
OPENZEPPELIN = "@openzeppelin/contracts"

REQUIRED_PACKAGES = {TREX: "4.1.6", ONCHAINID: "2.2.1", SOLC: "0.8.17", OPENZEPPELIN: "4.9.6"}

# (contract name, package, Hardhat artifact path inside the package)
NPM_ARTIFACTS = [
    ("Identity", ONCHAINID, "artifacts/contracts/Identity.sol/Identity.json"),
    ("ImplementationAuthority", ONCHAINID,
     "artifacts/contracts/proxy/ImplementationAuthority.sol/ImplementationAuthority.json"),
    ("IdFactory", ONCHAINID, "artifacts/contracts/factory/IdFactory.sol/IdFactory.json"),
    ("IdentityProxy", ONCHAINID, "artifacts/contracts/proxy/IdentityProxy.sol/IdentityProxy.json"),
    ("ClaimIssuer", ONCHAINID, "artifacts/contracts/ClaimIssuer.sol/ClaimIssuer.json"),
    ("Token", TREX, "artifacts/contracts/token/Token.sol/Token.json"),
    ("ClaimTopicsRegistry", TREX,
     "artifacts/contracts/registry/implementation/ClaimTopicsRegistry.sol/ClaimTopicsRegistry.json"),
    ("TrustedIssuersRegistry", TREX,
     "artifacts/contracts/registry/implementation/TrustedIssuersRegistry.sol/TrustedIssuersRegistry.json"),
    ("IdentityRegistryStorage", TREX,
     "artifacts/contracts/registry/implementation/IdentityRegistryStorage.sol/IdentityRegistryStorage.json"),
    ("IdentityRegistry", TREX,
     "artifacts/contracts/registry/implementation/IdentityRegistry.sol/IdentityRegistry.json"),
    ("ModularCompliance", TREX,
     "artifacts/contracts/compliance/modular/ModularCompliance.sol/ModularCompliance.json"),
    ("TREXImplementationAuthority", TREX,
     "artifacts/contracts/proxy/authority/TREXImplementationAuthority.sol/TREXImplementationAuthority.json"),
    ("TREXFactory", TREX, "artifacts/contracts/factory/TREXFactory.sol/TREXFactory.json"),
    ("TREXGateway", TREX, "artifacts/contracts/factory/TREXGateway.sol/TREXGateway.json"),
]

# (contract name, package holding the source, source path inside the package)
COMPILED_SOURCES = [("TestERC20", TREX, "contracts/_testContracts/TestERC20.sol")]

# The platform's own contracts: every deployable contract under contracts/src, compiled together
# (TestUSD: TestERC20 with USDC's 6 decimals, the local stablecoin; compliance/: our GPL-3.0
# compliance modules, which replace T-REX 4.1.6's CC BY-NC modules).
LOCAL_DIR = "contracts/src"
LOCAL_PACKAGE = "libertum@local"

SOLC_SETTINGS = {
    "optimizer": {"enabled": True, "runs": 200},
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.bytecode.linkReferences"]}},
}

# Runs solc-js's standard-JSON compile; imports resolve inside node_modules only.
NODE_COMPILE = """
const fs = require('fs'); const path = require('path');
const [nodeModules] = process.argv.slice(1);
const solc = require(path.join(nodeModules, 'solc'));
const input = fs.readFileSync(0, 'utf8');
const findImports = (p) => {
  const file = path.join(nodeModules, p);
  return fs.existsSync(file) ? {contents: fs.readFileSync(file, 'utf8')} : {error: 'not found: ' + p};
};
process.stdout.write(solc.compile(input, {import: findImports}));
"""


class ExtractError(Exception):
    """A precondition failed; the message says what to install or fix."""


def check_packages(node_modules: Path) -> None:
    """Refuse to extract from anything but the exact pinned package versions."""
    for package, version in REQUIRED_PACKAGES.items():
        manifest = node_modules / package / "package.json"
        if not manifest.is_file():
            raise ExtractError(f"{manifest} not found: install {package}@{version} (npm install)")
        found = json.loads(manifest.read_text())["version"]
        if found != version:
            raise ExtractError(f"{package} is {found} in {node_modules}, expected exactly {version}")


def _hex(code: str) -> str:
    code = code if code.startswith("0x") else "0x" + code
    if len(code) <= 2:
        raise ExtractError("empty bytecode (abstract contract or interface?)")
    return code


def read_npm_artifact(node_modules: Path, name: str, package: str, rel: str) -> dict:
    """Copy one Hardhat artifact, rejecting ones that would need library linking."""
    path = node_modules / package / rel
    if not path.is_file():
        raise ExtractError(f"{path} not found in {package}@{REQUIRED_PACKAGES[package]}")
    data = json.loads(path.read_text())
    if data.get("contractName") != name:
        raise ExtractError(f"{path} holds {data.get('contractName')!r}, expected {name!r}")
    if data.get("linkReferences"):
        raise ExtractError(f"{name} needs library linking, which the platform does not do")
    return {
        "contractName": name,
        "sourcePackage": f"{package}@{REQUIRED_PACKAGES[package]}",
        "sourcePath": data["sourceName"],
        "abi": data["abi"],
        "bytecode": _hex(data["bytecode"]),
    }


def compile_source(node_modules: Path, name: str, package: str, rel: str) -> dict:
    """Compile a contract whose source the package ships without an artifact."""
    source = node_modules / package / rel
    if not source.is_file():
        raise ExtractError(f"{source} not found in {package}@{REQUIRED_PACKAGES[package]}")
    return {"contractName": name, "sourcePackage": f"{package}@{REQUIRED_PACKAGES[package]}", "sourcePath": rel,
            **_solc(node_modules, name, rel, source.read_text())}


def local_sources(root: Path = ROOT) -> dict[str, str]:
    """Every .sol file under contracts/src by repository-relative path (the solc source unit names)."""
    return {path.relative_to(root).as_posix(): path.read_text()
            for path in sorted((root / LOCAL_DIR).rglob("*.sol"))}


def compile_local(node_modules: Path) -> list[dict]:
    """Compile the repository's own contracts in one run; one artifact per deployable contract
    (interfaces and abstract contracts have no bytecode, libraries of internal functions no ABI:
    both are skipped)."""
    sources = local_sources()
    output = _solc_run(node_modules, sources)
    artifacts = []
    for rel in sources:
        for name, compiled in sorted(output["contracts"].get(rel, {}).items()):
            if not compiled["evm"]["bytecode"]["object"] or not compiled["abi"]:
                continue
            artifacts.append({"contractName": name, "sourcePackage": LOCAL_PACKAGE, "sourcePath": rel,
                              **_built(name, compiled)})
    return artifacts


def _solc(node_modules: Path, name: str, rel: str, content: str) -> dict:
    """The compiler, ABI and bytecode of contract `name` in source `rel`."""
    output = _solc_run(node_modules, {rel: content})
    return _built(name, output["contracts"][rel][name])


def _solc_run(node_modules: Path, sources: dict[str, str]) -> dict:
    """solc-js standard-JSON output for `sources`; compile errors raise ExtractError."""
    request = {"language": "Solidity", "sources": {rel: {"content": text} for rel, text in sources.items()},
               "settings": SOLC_SETTINGS}
    done = subprocess.run(["node", "-e", NODE_COMPILE, str(node_modules)], input=json.dumps(request),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ExtractError(f"solc-js failed on {', '.join(sources)}: {done.stderr.strip()}")
    output = json.loads(done.stdout)
    errors = [e["formattedMessage"] for e in output.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise ExtractError("compiling failed:\n" + "\n".join(errors))
    return output


def _built(name: str, compiled: dict) -> dict:
    if compiled["evm"]["bytecode"]["linkReferences"]:
        raise ExtractError(f"{name} needs library linking, which the platform does not do")
    return {
        "compiler": f"solc-js {REQUIRED_PACKAGES[SOLC]}, optimizer 200 runs, "
                    f"{OPENZEPPELIN}@{REQUIRED_PACKAGES[OPENZEPPELIN]}",
        "abi": compiled["abi"],
        "bytecode": _hex(compiled["evm"]["bytecode"]["object"]),
    }


def dump(obj: object) -> str:
    """The one serialisation used for every file, so reruns are byte-identical."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def manifest_entry(artifact: dict) -> dict:
    package, _, version = artifact["sourcePackage"].rpartition("@")
    entry = {
        "file": f"artifacts/{artifact['contractName']}.json",
        "contractName": artifact["contractName"],
        "package": package,
        "version": version,
        "sourcePath": artifact["sourcePath"],
        "bytecodeSha256": hashlib.sha256(bytes.fromhex(artifact["bytecode"][2:])).hexdigest(),
    }
    if "compiler" in artifact:
        entry["compiler"] = artifact["compiler"]
    return entry


def extract(node_modules: Path, out: Path) -> list[dict]:
    """Write every artifact and the manifest; return the manifest entries."""
    check_packages(node_modules)
    artifacts = [read_npm_artifact(node_modules, *spec) for spec in NPM_ARTIFACTS]
    artifacts += [compile_source(node_modules, *spec) for spec in COMPILED_SOURCES]
    artifacts += compile_local(node_modules)
    target = out / "artifacts"
    target.mkdir(parents=True, exist_ok=True)
    wanted = {f"{a['contractName']}.json" for a in artifacts}
    for stale in target.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
    for artifact in artifacts:
        (target / f"{artifact['contractName']}.json").write_text(dump(artifact))
    entries = sorted((manifest_entry(a) for a in artifacts), key=lambda e: e["contractName"])
    (out / "MANIFEST.json").write_text(dump({"contracts": entries}))
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    parser.add_argument("--out", type=Path, default=ROOT / "contracts")
    args = parser.parse_args(argv)
    try:
        entries = extract(args.node_modules, args.out)
    except ExtractError as exc:
        print(f"extract_contracts: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(entries)} artifacts and MANIFEST.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
