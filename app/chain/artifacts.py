"""Load the pinned, checked-in contract artifacts and wrap them as web3 contracts.

Why: the platform deploys only the bytecode committed under contracts/artifacts (see
scripts/extract_contracts.py and contracts/MANIFEST.json), never what happens to be in
node_modules. Artifacts are read once per process and cached; they are immutable.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from web3 import Web3
from web3.contract import Contract

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "contracts" / "artifacts"


class UnknownArtifact(LookupError):
    """Asked for a contract that is not among the pinned artifacts."""


@cache
def artifact_names() -> tuple[str, ...]:
    """Names of every pinned artifact, sorted so that derived tables are deterministic."""
    return tuple(sorted(p.stem for p in ARTIFACTS_DIR.glob("*.json")))


@cache
def load_artifact(name: str) -> dict:
    """The artifact dict (contractName, sourcePackage, sourcePath, abi, bytecode)."""
    path = ARTIFACTS_DIR / f"{name}.json"
    if not path.is_file():
        raise UnknownArtifact(f"no pinned artifact {name!r} in {ARTIFACTS_DIR}")
    return json.loads(path.read_text())


def abi(name: str) -> list[dict]:
    return load_artifact(name)["abi"]


def all_abis() -> dict[str, list[dict]]:
    """Every pinned ABI by contract name: the universe for revert and event decoding."""
    return {name: abi(name) for name in artifact_names()}


def contract(w3: Web3, name: str, address: str | None = None) -> type[Contract] | Contract:
    """A web3 contract for `name`: bound to `address` if given, else deployable (with bytecode)."""
    artifact = load_artifact(name)
    if address is None:
        built = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    else:
        built = w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact["abi"])
    built.contract_name = name  # lets transaction labels and errors say "Token.mint"
    return built
