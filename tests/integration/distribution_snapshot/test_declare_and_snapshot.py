"""Declare -> approve -> record-date snapshot on the real stack: the lines are the chain's balances at the record
block (a mint after the record time does not count), split exactly, with withholding per residence country."""

from __future__ import annotations

import re
import time

from bson import ObjectId

from app.chain import agent as ops
from app.chain.wallet import hot_wallet
from app.data import audit_logs, distributions, dividends
from app.domain.distributions import rules, snapshot
from app.tasks import distribution_snapshot, queues
from tests.factories import PDF_BYTES
from tests.fixtures.accounts import post
from tests.fixtures.processes import wait_for

from .conftest import declaration, declare


def _distribution_id(response) -> str:
    assert response.status_code == 303, response.text[:2000]
    return re.search(r"/issuer/distributions/([0-9a-f]{24})", response.headers["Location"]).group(1)


def test_the_snapshot_fixes_the_chain_balances_at_the_record_block(app, db, wallet, held_offering, issuer,
                                                                 staff_client):
    oid, token = str(held_offering["_id"]), held_offering["tokenAddress"]
    gb, fr1, fr2 = (h["account"].address for h in held_offering["holders"])
    assert post(staff_client, "/admin/distributions/withholding", {"country": "FR", "rate": "12.5"}).status_code == 303
    assert 'data-testid="rate-FR"' in staff_client.get("/admin/distributions/withholding").text

    distribution_id = _distribution_id(declare(issuer["client"], oid, declaration()))
    found = distributions.by_id(db, ObjectId(distribution_id))
    assert found["status"] == "declared" and found["totalAmount"] == 700_01 and len(found["documentHash"]) == 64
    assert "Waiting for approval" in issuer["client"].get(f"/issuer/offerings/{oid}/distributions").text
    assert "Distributions to approve" in staff_client.get("/admin/").text

    approve = f"/admin/distributions/{distribution_id}/approve"
    assert post(staff_client, approve, {"remark": "Rent roll checked"}).status_code == 303
    again = post(staff_client, approve, {"remark": "twice"}, follow_redirects=True)
    assert "already decided" in again.text
    assert db.mailKeys.count_documents({"_id": {"$regex": f"^distribution-declared:{distribution_id}:"}}) == 3
    assert db[audit_logs.NAME].count_documents({"event": "distribution.approved"}) == 1
    scheduled = queues.queue(queues.DEFAULT, app.config).scheduled_job_registry.get_job_ids()
    assert f"distribution-snapshot-{distribution_id}" in scheduled  # the worker's scheduler runs it at the record time

    record = found["recordDate"].timestamp()
    while time.time() < record + 1.5:  # the record time passes; the next blocks are stamped after it
        time.sleep(0.2)
    ops.mint(wallet.w3, wallet.account, token, gb, 1_000)  # after the record time: must not count
    ops.forced_transfer(wallet.w3, wallet.account, token, fr1, fr2, 5)
    wait_for(lambda: db.holdings.find_one({"_id": f"{token}:{gb}", "balance": "1010"}), what="the late mint synced")

    status = wait_for(lambda: _try_snapshot(distribution_id), timeout=60, what="the snapshot")
    assert status == "snapshotted"
    assert distribution_snapshot.take_snapshot(distribution_id) == "snapshotted"  # a rerun changes nothing

    found = distributions.by_id(db, found["_id"])
    block = found["recordBlock"]
    assert wallet.w3.eth.get_block(block)["timestamp"] <= record < wallet.w3.eth.get_block(block + 1)["timestamp"]
    lines = {line["walletAddress"]: line for line in db.dividends.find({"distributionId": found["_id"]})}
    assert set(lines) == {gb, fr1, fr2}
    for address, line in lines.items():
        assert int(line["balance"]) == held_offering["token"].functions.balanceOf(address).call(block_identifier=block)
    assert {a: int(line["balance"]) for a, line in lines.items()} == {gb: 10, fr1: 20, fr2: 7}
    # $700.01 by 10/37, 20/37, 7/37 = 18919.19, 37838.38, 13243.43 cents: the left-over cent to the largest fraction
    assert {a: line["grossAmount"] for a, line in lines.items()} == {gb: 189_19, fr1: 378_38, fr2: 132_44}
    assert sum(line["grossAmount"] for line in lines.values()) == 700_01
    assert (lines[gb]["withheldAmount"], lines[gb]["withholdingRate"], lines[gb]["country"]) == (0, 0, "GB")
    assert (lines[fr1]["withheldAmount"], lines[fr1]["dividendAmount"]) == (47_29, 331_09)  # 12.5% of $378.38, floored
    assert lines[fr1]["withholdingRate"] == 1250 and lines[fr1]["status"] == "declared"
    assert found["totals"] == {"gross": 700_01, "withheld": 47_29 + 16_55, "net": 700_01 - 47_29 - 16_55,
                               "remainder": 0}
    assert found["holdersCount"] == 3

    page = staff_client.get(f"/admin/distributions/{distribution_id}").text
    assert page.count('data-testid="line"') == 3 and "$700.01" in page and "12.5%" in page
    assert "Holders fixed at the record date" in issuer["client"].get(f"/issuer/distributions/{distribution_id}").text
    investor_lines = snapshot.lines_of_user(app.config, held_offering["holders"][1]["_id"])
    assert [line["dividendAmount"] for line in investor_lines] == [331_09]
    assert investor_lines[0]["waterfall"]["grossRent"] == 1_000_01


def _try_snapshot(distribution_id: str) -> str | None:
    """The job as the worker runs it; None while chain-sync has not stored the events up to the record block."""
    try:
        status = distribution_snapshot.take_snapshot(distribution_id)
    except snapshot.NotReady:
        return None
    return status if status == "snapshotted" else None


def test_a_wallet_frozen_at_the_record_block_gets_a_held_line(app, db, wallet, held_offering, issuer, staff_client):
    oid, token = str(held_offering["_id"]), held_offering["tokenAddress"]
    frozen = held_offering["holders"][2]["account"].address
    ops.set_address_frozen(wallet.w3, wallet.account, token, frozen, True)
    wait_for(lambda: db.holdings.find_one({"_id": f"{token}:{frozen}", "isFrozen": True}), what="the freeze synced")
    distribution_id = _distribution_id(declare(issuer["client"], oid, declaration(
        amountKind="perToken", amount="1.50", grossRent="55.50", vacancy="0", operatingCosts="0", managementFee="0",
        reserveTopUp="0", distributable="55.50")))
    assert post(staff_client, f"/admin/distributions/{distribution_id}/approve").status_code == 303
    found = distributions.by_id(db, ObjectId(distribution_id))
    while time.time() < found["recordDate"].timestamp() + 1.5:
        time.sleep(0.2)
    wallet.w3.provider.make_request("evm_mine", [])  # a block after the record time
    # a run that crashed after writing some lines and before the status moved: the sweep finishes it
    block = wait_for(lambda: _record_block_synced(app, found), timeout=60, what="chain-sync up to the record block")
    lines, _ = snapshot.lines_for(app.config, found, *snapshot.holders_at(app.config, token, block))
    dividends.insert_lines(db, [{**line, "recordBlock": block} for line in lines[:2]])
    assert wait_for(lambda: f"{distribution_id}:snapshotted" in distribution_snapshot.sweep_record_dates(),
                    timeout=60, what="the sweep's snapshot")
    assert db.dividends.count_documents({"distributionId": found["_id"]}) == 3
    line = db.dividends.find_one({"distributionId": found["_id"], "walletAddress": frozen})
    assert line["status"] == "held" and "frozen" in line["heldReason"] and line["grossAmount"] == 7 * 150
    assert distributions.by_id(db, found["_id"])["totalAmount"] == 37 * 150


def _record_block_synced(app, distribution: dict) -> int | None:
    w3 = hot_wallet(app.config).w3
    block = rules.last_block_at_or_before(lambda n: w3.eth.get_block(n)["timestamp"], w3.eth.block_number,
                                          int(distribution["recordDate"].timestamp()))
    try:
        snapshot.holders_at(app.config, distribution["tokenAddress"], block)
    except snapshot.NotReady:
        return None
    return block


def test_pdf_document_is_served_to_its_issuer_and_staff_only(app, held_offering, issuer, staff_client, auth):
    distribution_id = _distribution_id(declare(issuer["client"], str(held_offering["_id"]), declaration()))
    path = f"/distributions/{distribution_id}/document"
    assert issuer["client"].get(path).data == PDF_BYTES
    assert staff_client.get(path).data == PDF_BYTES
    assert auth("investor").get(path).status_code == 404
    assert auth("issuer").get(f"/issuer/distributions/{distribution_id}").status_code == 404
