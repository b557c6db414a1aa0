"""The compliance modules' Foundry tests pass and their gas stays within 5% of the checked-in snapshot.

Runs the pinned forge (npm @foundry-rs/forge 1.7.1) offline in contracts/ with the pinned solc-js
(contracts/tools/solc). No servers: forge runs the contracts in its own EVM.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONTRACTS = ROOT / "contracts"
FORGE = ROOT / "node_modules" / "@foundry-rs" / "forge-linux-amd64" / "bin" / "forge"
GAS_TOLERANCE_PERCENT = "5"


def _forge(*args: str) -> subprocess.CompletedProcess:
    if not FORGE.exists():
        pytest.fail(f"forge is not installed ({FORGE} is missing): run `make install`")
    return subprocess.run([str(FORGE), *args], cwd=CONTRACTS, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "NO_COLOR": "1", "FOUNDRY_DISABLE_NIGHTLY_WARNING": "1"}, check=False)


def test_forge_unit_fuzz_and_invariant_tests_pass():
    done = _forge("test")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "invariant_investor_count_within_caps" in done.stdout
    assert " 0 failed" in done.stdout


def test_module_gas_within_five_percent_of_snapshot():
    """Fails when a module's mint or transfer costs more than 5% above contracts/.gas-snapshot
    (refresh it deliberately: `cd contracts && forge snapshot --match-contract '^Gas' --snap .gas-snapshot`)."""
    done = _forge("snapshot", "--match-contract", "^Gas", "--snap", ".gas-snapshot", "--check",
                  "--tolerance", GAS_TOLERANCE_PERCENT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
