"""Executed enforcement cases tell the people whose tokens they touched, on the real stack (anvil, FerretDB, Redis,
the outbox): one mail per person and case with the right figures, none at filing or approval, none for a wallet no
account proved, none with the reason staff typed (kept on the case file), and still one after the execution job
runs again or the sweep finishes the mails of a worker stopped after the chain confirmed the case."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from eth_account import Account

from app.data import agent_actions
from app.data.ids import parse_id
from app.data.user_details import add_verified_wallet
from app.domain.enforcement import execution
from app.tasks import enforcement as enforcement_jobs
from tests.fixtures.chain import approved_investor
from tests.fixtures.processes import run_jobs
from tests.integration.enforcement.conftest import case_id_of, decide, make_case, staff

REASON = "Court order 2026/114 received by the legal team"


def mails_to(db, person: dict, subject: str = "") -> list[dict]:
    """The person's enforcement mails (not the token-opened mail of the fixture's token), optionally by subject."""
    query = {"to": person["email"], "channel": "email", "body": {"$regex": "as the agent of"}}
    if subject:
        query["subject"] = {"$regex": re.escape(subject)}
    return list(db.outbox.find(query))


def case_mails(db, case_id: str) -> list[dict]:
    """The outbox messages the case's mail keys hold (agent-action:<case>:<role>:<user>)."""
    keys = list(db.mailKeys.find({"_id": {"$regex": f"^agent-action:{case_id}:"}}))
    return list(db.outbox.find({"_id": {"$in": [k["messageId"] for k in keys]}}))


def run_case(app, db, maker, kind: str, offering: dict, checker=None, **fields) -> str:
    """Make and approve a case, check nothing was mailed before execution, execute it, then run it twice more
    (the execution itself and its RQ job): the mails it asked for are the ones a single run asks for."""
    cid = case_id_of(make_case(maker, offering, kind, **fields))
    assert decide(checker or maker, cid, "approve").status_code == 303
    assert case_mails(db, cid) == []  # approved, queued: nothing on chain yet, nobody told
    run_jobs("chain")
    case = agent_actions.by_id(db, parse_id(cid))
    assert case["state"] == "executed" and case.get("mailedAt"), case
    first = sorted(m["_id"] for m in case_mails(db, cid))
    assert execution.execute(app.config, cid) == "executed"
    enforcement_jobs.enqueue(app.config, {**case, "state": "approved"})
    run_jobs("chain")
    assert sorted(m["_id"] for m in case_mails(db, cid)) == first
    return cid


def only(db, cid: str) -> dict:
    [mail] = case_mails(db, cid)
    assert REASON not in mail["body"] and REASON not in mail["html"]  # internal: kept on the case file
    assert "Reply to this mail" in mail["body"]
    return mail


def test_freezes_mail_the_wallets_owner_once_each_with_the_amount(app, db, book):
    offering, a, b = book["offering"], book["a"], book["b"]
    wallet, title = a["account"].address, offering["overview"]["title"]
    maker = staff(app)

    mail = only(db, run_case(app, db, maker, "freeze_partial", offering, wallet=wallet, amount="1"))
    assert mail["to"] == a["email"] and mail["subject"] == f"Libertum: {title}: 1 token frozen in your wallet"
    assert f"froze 1 token in your wallet {wallet}" in mail["body"]
    mail = only(db, run_case(app, db, maker, "unfreeze_partial", offering, wallet=wallet, amount="0.5"))
    assert mail["to"] == a["email"] and f"unfroze 0.5 tokens in your wallet {wallet}" in mail["body"]
    mail = only(db, run_case(app, db, maker, "freeze_address", offering, wallet=wallet))
    assert (mail["to"], mail["subject"]) == (a["email"], f"Libertum: Your wallet was frozen for {title}")
    assert f"froze your wallet {wallet}" in mail["body"] and "/portfolio/" in mail["body"]
    mail = only(db, run_case(app, db, maker, "unfreeze_address", offering, wallet=wallet))
    assert mail["to"] == a["email"] and f"unfroze your wallet {wallet}" in mail["body"]
    assert mails_to(db, b) == []  # the other holder heard nothing
    assert len(mails_to(db, a, "Libertum: Your wallet was")) == 2
    form = maker.get(f"/admin/enforcement/new?offering={offering['_id']}&kind=freeze_address").text
    assert "never this reason" in form  # staff know what is mailed before they type it


def test_pause_and_unpause_mail_every_holder_with_an_account_once(app, db, platform, book):
    offering, a, b = book["offering"], book["a"], book["b"]
    title = offering["overview"]["title"]
    nobody = approved_investor(app, platform, offering)  # a registered wallet no account has proven any more
    assert db.userdetails.update_one({"userId": nobody["_id"]}, {"$set": {"wallets": []}}).modified_count == 1
    maker, checker = staff(app), staff(app)
    moved = run_case(app, db, maker, "forced_transfer", offering, checker, wallet=a["account"].address,
                     to_wallet=nobody["account"].address, amount="2")
    assert [m["to"] for m in case_mails(db, moved)] == [a["email"]]  # the sender only: the recipient has no account

    paused = run_case(app, db, maker, "pause", offering)
    assert sorted(m["to"] for m in case_mails(db, paused)) == sorted([a["email"], b["email"]])
    assert {m["subject"] for m in case_mails(db, paused)} == {f"Libertum: Transfers of {title} are paused"}
    assert all("no holder can send or receive" in m["body"] for m in case_mails(db, paused))
    resumed = run_case(app, db, maker, "unpause", offering)
    assert sorted(m["to"] for m in case_mails(db, resumed)) == sorted([a["email"], b["email"]])
    assert all("you can send and receive" in m["body"] for m in case_mails(db, resumed))
    told = maker.get(f"/admin/enforcement/{resumed}").text
    assert 'data-testid="case-mailed">2 mails to the investors it touched' in told  # the case file says so
    assert mails_to(db, nobody) == []


def test_burn_forced_transfer_and_recovery_tell_each_side(app, db, book):
    offering, a, b = book["offering"], book["a"], book["b"]
    wa, wb, title = a["account"].address, b["account"].address, offering["overview"]["title"]
    maker, checker = staff(app), staff(app)

    burned = only(db, run_case(app, db, maker, "burn", offering, checker, wallet=wb, amount="1.25"))
    assert (burned["to"], burned["subject"]) == (b["email"], f"Libertum: {title}: 1.25 tokens burned from your wallet")
    assert f"burned 1.25 tokens held in your wallet {wb}" in burned["body"]

    moved = case_mails(db, run_case(app, db, maker, "forced_transfer", offering, checker, wallet=wa, to_wallet=wb,
                                    amount="1"))
    by_person = {m["to"]: m for m in moved}
    assert sorted(by_person) == sorted([a["email"], b["email"]]) and len(moved) == 2
    assert f"transferred 1 token from your wallet {wa} to the wallet {wb}" in by_person[a["email"]]["body"]
    assert f"transferred 1 token to your wallet {wb} from the wallet {wa}" in by_person[b["email"]]["body"]
    assert by_person[b["email"]]["subject"] == f"Libertum: {title}: 1 token moved to your wallet"

    new_wallet = Account.create().address
    add_verified_wallet(db, a["_id"], new_wallet, "metamask")
    recovered = only(db, run_case(app, db, maker, "recovery", offering, checker, wallet=wa, new_wallet=new_wallet))
    assert recovered["to"] == a["email"]
    assert f"from your lost wallet {wa}: its tokens are now in your wallet {new_wallet}" in recovered["body"]


def test_the_sweep_sends_the_mails_a_stopped_worker_left_once(app, db, book):
    offering, a = book["offering"], book["a"]
    cid = run_case(app, db, staff(app), "freeze_partial", offering, wallet=a["account"].address, amount="2")
    # what a worker killed between the confirmed execution and the mails leaves: executed, nothing asked for
    for key in db.mailKeys.find({"_id": {"$regex": f"^agent-action:{cid}:"}}):
        db.outbox.delete_one({"_id": key["messageId"]})
        db.mailKeys.delete_one({"_id": key["_id"]})
    executed_at = datetime.now(UTC) - timedelta(minutes=3)
    db.agentActions.update_one({"_id": parse_id(cid)},
                               {"$unset": {"mailedAt": ""}, "$set": {"executedAt": executed_at}})
    assert cid in enforcement_jobs.sweep_cases()
    run_jobs("chain")
    assert cid not in enforcement_jobs.sweep_cases()  # mailed now: not picked again
    run_jobs("chain")
    mail = only(db, cid)
    assert mail["to"] == a["email"] and "froze 2 tokens" in mail["body"]
