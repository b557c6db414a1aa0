"""A deployed offering owned by an issuer, with investors registered on chain (GB, FR, FR) holding minted tokens,
and the issuer's and staff's signed-in clients: what a distribution needs before it is declared."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from app.chain import agent as ops
from app.chain.artifacts import contract
from tests.factories import PDF_BYTES
from tests.fixtures.accounts import make_user, post, signed_in_client
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.processes import wait_for


@pytest.fixture
def issuer(app):
    user = make_user("issuer")
    user["client"] = signed_in_client(app, user)
    return user


@pytest.fixture
def staff_client(app):
    return signed_in_client(app, make_user("subadmin", permissions=["dividends"]))


@pytest.fixture
def held_offering(app, db, platform, wallet, chain_workers, issuer):
    """The issuer's live, unpaused offering; three investors hold 10 (GB), 20 and 7 (FR) tokens, synced."""
    offering = live_offering(app, platform, countries=("GB", "FR"), unpause=True, createdBy=issuer["_id"])
    holders = [approved_investor(app, platform, offering, country=c) for c in ("GB", "FR", "FR")]
    for holder, amount in zip(holders, (10, 20, 7), strict=True):
        ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], holder["account"].address, amount)
    wait_for(lambda: db.holdings.count_documents({"token": offering["tokenAddress"]}) == 3, what="the synced mints")
    offering["holders"] = holders
    offering["token"] = contract(wallet.w3, "Token", offering["tokenAddress"])
    return offering


def moment(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S")


def declaration(**changes) -> dict:
    """A valid total declaration of $700.01 paid by bank transfer, record time in 8 s."""
    form = {"dividendType": "rentalIncome", "amountKind": "total", "amount": "700.01", "paymentMethod": "fiat",
            "recordDate": moment(timedelta(seconds=8)), "paymentDate": moment(timedelta(days=10)),
            "grossRent": "1,000.01", "vacancy": "50", "operatingCosts": "120", "managementFee": "80",
            "reserveTopUp": "50", "distributable": "700.01"}
    form.update(changes)
    return form


def declare(client, offering_id, form: dict, document: bytes = PDF_BYTES):
    return post(client, f"/issuer/offerings/{offering_id}/distributions/new",
                {**form, "document": (io.BytesIO(document), "rent-roll.pdf")}, content_type="multipart/form-data")
