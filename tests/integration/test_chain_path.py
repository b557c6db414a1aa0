"""The path every on-chain fact takes: a contract call on anvil -> chain monitor -> Kafka -> chain sync -> MongoDB.

The monitor and the sync consumer run as the real worker processes (`flask chain monitor`,
`flask chain sync`), exactly as the Procfile starts them.
"""

import time
import uuid

from eth_account import Account

from app.chain.node import web3_client
from app.chain.suite import deploy_token_suite, unpause_token
from tests.fixtures.processes import flask_argv, start_process, stop_process, wait_for


def settled_count(db, quiet_polls: int = 6) -> int:
    """The chainEvents count once it stopped changing: partitions are consumed independently, so
    one contract's latest event can land before another partition's older ones."""
    last, unchanged = -1, 0
    while unchanged < quiet_polls:
        count = db.chainEvents.count_documents({})
        unchanged = unchanged + 1 if count == last else 0
        last = count
        time.sleep(0.25)
    return last


def deploy_suite(app, platform) -> dict:
    w3 = web3_client.get(app.config)
    deployer = Account.from_key(app.config["DEPLOYER_PRIVATE_KEY"])
    suite = deploy_token_suite(w3, deployer, platform, salt=f"path-{uuid.uuid4().hex[:8]}", name="Harbour Lofts",
                               symbol="HBL", decimals=0, owner=deployer.address, agents=[deployer.address],
                               authorized_countries=[826], max_balance=1000, supply_cap=10_000)
    unpause_token(w3, deployer, suite["token"])
    return suite


def test_contract_call_becomes_a_mongodb_document_through_kafka(app, db, platform, chain_workers):
    suite = deploy_suite(app, platform)
    token = suite["token"]

    unpaused = wait_for(lambda: db.chainEvents.find_one({"address": token, "event": "Unpaused"}),
                        what="the Unpaused event of the new token in MongoDB")
    chain_id = web3_client.get(app.config).eth.chain_id
    assert unpaused["_id"] == f"{chain_id}:{unpaused['blockHash']}:{unpaused['logIndex']}"
    assert unpaused["retracted"] is False

    # the factory's announcement travels on another partition (key = factory address): wait for it too
    wait_for(lambda: db.chainEvents.find_one({"event": "TREXSuiteDeployed", "args._token": token}),
             what="the factory's announcement of the suite")
    assert db.chainContracts.find_one({"address": token})["kind"] == "suite"


def test_restarting_the_workers_stores_nothing_twice(app, db, platform, chain_workers, services, tmp_path):
    start = web3_client.get(app.config).eth.block_number
    token = deploy_suite(app, platform)["token"]
    wait_for(lambda: db.chainEvents.find_one({"address": token, "event": "Unpaused"}), what="the first pass")
    before = settled_count(db)

    for process in chain_workers.values():
        stop_process(process)
    # Rewind the monitor to before the deployment: every log since is published and consumed again.
    checkpoint = db.chainCheckpoints.find_one({})
    rewound = [b for b in checkpoint["recentBlocks"] if b["number"] <= start]
    db.chainCheckpoints.update_one({"_id": checkpoint["_id"]}, {"$set": {"height": start, "recentBlocks": rewound}})
    again = {name: start_process(flask_argv("chain", name), services, f"{name}-again", tmp_path)
             for name in ("monitor", "sync")}
    try:
        head = web3_client.get(app.config).eth.block_number
        wait_for(lambda: (db.chainCheckpoints.find_one({}) or {}).get("height", -1) >= head,
                 what="the monitor to publish every block again")
        assert settled_count(db) == before
    finally:
        for process in again.values():
            stop_process(process)
