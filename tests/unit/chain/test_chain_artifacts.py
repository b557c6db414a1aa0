"""The checked-in artifacts match their manifest, and the extractor refuses wrong inputs."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from app.chain.artifacts import ARTIFACTS_DIR, UnknownArtifact, artifact_names, load_artifact

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = json.loads((ROOT / "contracts" / "MANIFEST.json").read_text())
PLATFORM_CONTRACTS = {
    "Identity", "ImplementationAuthority", "IdFactory", "IdentityProxy", "ClaimIssuer", "Token",
    "ClaimTopicsRegistry", "TrustedIssuersRegistry", "IdentityRegistryStorage", "IdentityRegistry",
    "ModularCompliance", "TREXImplementationAuthority", "TREXFactory", "TREXGateway", "TestERC20", "TestUSD",
    "CountryAllowListModule", "IdentityMaxBalanceModule", "SupplyCapModule", "InvestorCapModule", "LockupModule",
    "ConvertibleERC20",  # the ERC-20 twin and converter of an offering (contracts/src/conversion)
    "DividendDistributor",  # pays distributions' holder lines, each once (contracts/src/distributions)
}
OUR_MODULES = ("CountryAllowListModule", "IdentityMaxBalanceModule", "SupplyCapModule", "InvestorCapModule",
               "LockupModule")


def _extractor():
    spec = importlib.util.spec_from_file_location("extract_contracts", ROOT / "scripts" / "extract_contracts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_platform_contract_is_pinned():
    assert set(artifact_names()) == PLATFORM_CONTRACTS
    assert {entry["contractName"] for entry in MANIFEST["contracts"]} == PLATFORM_CONTRACTS


@pytest.mark.parametrize("entry", MANIFEST["contracts"], ids=lambda e: e["contractName"])
def test_manifest_hash_matches_bytecode(entry):
    artifact = json.loads((ROOT / "contracts" / entry["file"]).read_text())
    assert artifact["sourcePackage"] == f"{entry['package']}@{entry['version']}"
    assert hashlib.sha256(bytes.fromhex(artifact["bytecode"][2:])).hexdigest() == entry["bytecodeSha256"]


def test_onchainid_contracts_come_from_onchainid_package():
    for name in ("Identity", "ImplementationAuthority", "IdFactory", "IdentityProxy", "ClaimIssuer"):
        assert load_artifact(name)["sourcePackage"] == "@onchain-id/solidity@2.2.1"


def test_unknown_artifact():
    with pytest.raises(UnknownArtifact, match="Nope"):
        load_artifact("Nope")


def test_extractor_rejects_missing_and_wrong_versions(tmp_path):
    extractor = _extractor()
    with pytest.raises(extractor.ExtractError, match=r"install @tokenysolutions/t-rex@4\.1\.6"):
        extractor.check_packages(tmp_path)
    for package, version in extractor.REQUIRED_PACKAGES.items():
        (tmp_path / package).mkdir(parents=True)
        (tmp_path / package / "package.json").write_text(json.dumps({"version": version}))
    extractor.check_packages(tmp_path)
    (tmp_path / "solc" / "package.json").write_text(json.dumps({"version": "0.8.30"}))
    with pytest.raises(extractor.ExtractError, match=r"solc is 0\.8\.30 .* expected exactly 0\.8\.17"):
        extractor.check_packages(tmp_path)


def test_extractor_output_matches_committed_files(tmp_path):
    """Regenerating from the pinned npm packages reproduces the committed files byte for byte."""
    extractor = _extractor()
    node_modules = ROOT / "node_modules"
    try:
        extractor.check_packages(node_modules)
    except extractor.ExtractError as missing:
        pytest.skip(f"pinned npm packages not installed: {missing}")
    if shutil.which("node") is None:
        pytest.skip("node is needed to compile TestERC20")
    extractor.extract(node_modules, tmp_path)
    assert (tmp_path / "MANIFEST.json").read_bytes() == (ROOT / "contracts" / "MANIFEST.json").read_bytes()
    for path in ARTIFACTS_DIR.glob("*.json"):
        assert (tmp_path / "artifacts" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("name", OUR_MODULES)
def test_compliance_modules_are_ours_and_gpl(name):
    """Every module the platform deploys is built from contracts/src (GPL-3.0), none of T-REX's CC BY-NC ones."""
    artifact = load_artifact(name)
    assert artifact["sourcePackage"] == "libertum@local"
    source = (ROOT / artifact["sourcePath"]).read_text()
    assert source.startswith("// SPDX-License-Identifier: GPL-3.0\n")
    assert "CC BY-NC" not in source and "pragma solidity 0.8.17;" in source


def test_no_tokeny_module_is_pinned():
    assert not [e for e in MANIFEST["contracts"] if "/modules/" in e["sourcePath"]]
