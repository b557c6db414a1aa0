"""The record-date snapshot of a distribution at 1,000 / 2,500 / 5,000 / 10,000 holders, on a throw-away stack.

Setup (not timed): one 18-decimal token suite; one ONCHAINID with the platform's KYC claim registered for every
holder wallet (an identity registry maps many wallets to one identity, so 10,000 holders need 100
`batchRegisterIdentity` transactions instead of 20,000 identity and claim transactions); `batchMint` in batches of
40 in four growing phases, each followed by a record time; the holders' platform accounts (residence GB or FR,
France withholding 12.5%); the real chain-monitor and chain-sync processes store the Transfer events.

Timed: `snapshot.take` for an approved distribution whose record time is the end of each phase: the record block
by binary search, the replay of the stored events up to it, balanceOf/totalSupply at that block in JSON-RPC
batches, owners and countries, the split, the withholding and the insert of the lines. Checked: one line per
holder of that phase and the lines adding up to the total exactly.

    .venv/bin/python -m bench.distribution_snapshot [max holders, default 10000]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from eth_account import Account
from web3 import Web3

from app import create_app
from app.chain import agent as ops
from app.chain.identity import add_claim, create_identity
from app.chain.suite import deploy_token_suite
from app.chain.wallet import hot_wallet
from app.data import amounts, init_db, withholding_rates
from app.data.mongo import get_db
from app.domain.distributions import snapshot
from app.domain.platform.chain import ensure_platform
from app.events.topics import create_topics
from bench.chain import follow_from_head, token_watermark, transfer_position
from bench.harness import ROOT, stack_env

PHASES = (1_000, 2_500, 5_000, 10_000)
REGISTER_BATCH, MINT_BATCH = 100, 40
FRANCE = 250
TOTAL = 1_234_567_89  # $1,234,567.89 to split: an odd total


def setup_suite(config: dict, platform: dict) -> tuple[str, str]:
    wallet = hot_wallet(config)
    suite = deploy_token_suite(wallet.w3, wallet.account, platform, salt=f"snap-{uuid.uuid4().hex[:8]}",
                               name="Snapshot Flats", symbol="SNF", decimals=18, owner=wallet.account.address,
                               agents=[wallet.account.address], authorized_countries=[FRANCE], max_balance=0,
                               supply_cap=0)
    ops.unpause(wallet.w3, wallet.account, suite["token"])
    return suite["token"], suite["identityRegistry"]


def register(config: dict, platform: dict, registry: str, holders: list[str]) -> None:
    """One identity with the KYC claim, registered for every holder wallet."""
    wallet = hot_wallet(config)
    owner = Account.create().address
    identity = create_identity(wallet.w3, wallet.account, platform, owner)
    add_claim(wallet.w3, wallet.account, platform, identity, Account.from_key(config["CLAIM_SIGNER_PRIVATE_KEY"]),
              data=b"kyc:ok")
    for start in range(0, len(holders), REGISTER_BATCH):
        chunk = holders[start:start + REGISTER_BATCH]
        ops.batch_register_identity(wallet.w3, wallet.account, registry, chunk, [identity] * len(chunk),
                                    [FRANCE] * len(chunk))


def mint_phase(config: dict, token: str, holders: list[str]):
    """Mint to `holders` (odd 18-decimal balances); returns the last receipt."""
    wallet = hot_wallet(config)
    receipt = None
    for start in range(0, len(holders), MINT_BATCH):
        chunk = holders[start:start + MINT_BATCH]
        receipt = ops.batch_mint(wallet.w3, wallet.account, token, chunk,
                                 [(start + n + 1) * 10**18 + 123_456_789 * (start + n) for n in range(len(chunk))])
    return receipt


def accounts_for(db, holders: list[str]) -> None:
    """Platform accounts owning the wallets, half in France (withheld 12.5%), half in the UK."""
    users, details = [], []
    for n, address in enumerate(holders):
        user_id = ObjectId()
        users.append({"_id": user_id, "email": f"holder{n}@bench.example", "userType": "investor",
                      "residenceCountry": "FR" if n % 2 else "GB", "isDeleted": False})
        details.append({"_id": ObjectId(), "userId": user_id, "wallets": [{"address": address, "isVerify": True}]})
    db.users.insert_many(users, ordered=False)
    db.userdetails.insert_many(details, ordered=False)
    withholding_rates.set_rate(db, "FR", 1250, None)


def approved(db, token: str, record: datetime) -> ObjectId:
    now = datetime.now(UTC)
    fall = {"grossRent": TOTAL, "vacancy": 0, "operatingCosts": 0, "managementFee": 0, "reserveTopUp": 0,
            "distributable": TOTAL}
    return db.distributions.insert_one({
        "offeringId": ObjectId(), "issuerId": ObjectId(), "offeringName": "Snapshot Flats", "tokenAddress": token,
        "tokenDecimals": 18, "dividendType": "rentalIncome", "currency": "USD", "paymentMethod": "fiat",
        "totalAmount": TOTAL, "amountPerToken": None, "declarationDate": now - timedelta(hours=1),
        "recordDate": record, "paymentDate": now + timedelta(days=7), "waterfall": fall, "status": "approved",
        "createdAt": now}).inserted_id


def main() -> None:
    top = int(sys.argv[1]) if len(sys.argv) > 1 else PHASES[-1]
    phases = [n for n in PHASES if n <= top] or [top]
    with stack_env() as env:
        app = create_app()
        with app.app_context():
            db, config = get_db(), app.config
            init_db(db)
            create_topics(env["KAFKA_BOOTSTRAP_SERVERS"])
            platform, _ = ensure_platform(config)
            w3 = hot_wallet(config).w3
            token, registry = setup_suite(config, platform)
            follow_from_head(db, w3, token)
            argv = [sys.executable, "-m", "flask", "--app", "wsgi", "chain"]
            workers = [subprocess.Popen([*argv, name], cwd=ROOT, env={**os.environ, **env},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                       for name in ("monitor", "sync")]
            try:
                run(db, config, w3, token, registry, platform, phases)
            finally:
                for process in workers:
                    process.terminate()
                    process.wait()


def run(db, config, w3, token, registry, platform, phases) -> None:
    holders = [Web3.to_checksum_address("0x" + os.urandom(20).hex()) for _ in range(phases[-1])]
    started = time.perf_counter()
    register(config, platform, registry, holders)
    print(f"setup: {len(holders):,} wallets registered in {time.perf_counter() - started:.1f} s")
    accounts_for(db, holders)
    records, done, last = [], 0, None
    for size in phases:
        started = time.perf_counter()
        last = mint_phase(config, token, holders[done:size])
        block_time = w3.eth.get_block(last["blockNumber"])["timestamp"]
        records.append((size, datetime.fromtimestamp(block_time, UTC)))
        print(f"setup: minted to holders {done + 1:,}-{size:,} in {time.perf_counter() - started:.1f} s")
        while time.time() < block_time + 1.2:  # the next phase's blocks are stamped after this record time
            time.sleep(0.1)
        done = size
    w3.provider.make_request("evm_mine", [])
    started, position = time.perf_counter(), transfer_position(token, last)
    while token_watermark(db, token) < position:
        time.sleep(0.2)
    print(f"setup: chain-sync stored every Transfer {time.perf_counter() - started:.1f} s after the last mint")
    print("holders | snapshot seconds | per 1,000 holders")
    for size, record in records:
        distribution_id = approved(db, token, record)
        started = time.perf_counter()
        assert snapshot.take(config, distribution_id) == "snapshotted"
        took = time.perf_counter() - started
        lines = list(db.dividends.find({"distributionId": distribution_id}, {"grossAmount": 1, "balance": 1}))
        assert len(lines) == size and sum(line["grossAmount"] for line in lines) == TOTAL
        assert sum(amounts.load(line["balance"]) for line in lines) > 0
        print(f"{size:>7,} | {took:>16.2f} | {took / size * 1000:.2f}")


if __name__ == "__main__":
    main()
