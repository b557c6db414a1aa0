"""An issuer declares a distribution for a deployed offering they own (status `declared`, waiting for staff).

Everything is checked before anything is written, and every refusal names its field so the form re-renders
with what was typed: dates (record after now, payment on or after record), the amount (a positive total, or a
positive amount per whole token whose total at the current supply is computed), the waterfall adding up to
the total, and for stablecoin payouts the treasury's balance read on chain (said now, not after a revert).
"""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import UTC, datetime
from typing import BinaryIO

from bson import ObjectId

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.data import distributions, offerings
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.distributions import rules
from app.domain.payments import stablecoin
from app.domain.platform import audit, numerals, uploads
from app.formatting import money, platform_currency

log = logging.getLogger(__name__)
FIELDS = ("dividendType", "amountKind", "amount", "paymentMethod", "recordDate", "paymentDate",
          *(key for key, _ in rules.WATERFALL))


class NotFound(errors.NotFound):
    """No such offering of this issuer (404, as if it did not exist)."""


class DeclarationRefused(errors.Refused):
    """The form has problems: `problems` maps each field to its message (the first is the reason)."""

    def __init__(self, problems: dict[str, str]):
        field, reason = next(iter(problems.items()))
        super().__init__(reason, field)
        self.problems = problems


def own_offering(actor: dict, offering_id: str) -> dict:
    oid = parse_id(offering_id)
    found = offerings.owned(get_db(), oid, actor["_id"]) if oid else None
    if found is None:
        raise NotFound(offering_id)
    return found


def title_of(offering: dict) -> str:
    return (offering.get("overview") or {}).get("title") or "Offering"


def decimals_of(offering: dict) -> int:
    return int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)


def declare(config: dict, actor: dict, offering_id: str, typed: dict, document: BinaryIO | None) -> ObjectId:
    """Check the typed declaration and save it as `declared`; DeclarationRefused lists every problem."""
    offering = own_offering(actor, offering_id)
    now = datetime.now(UTC).replace(microsecond=0)
    fields, problems = _parse(typed, now)
    if not offering.get("tokenAddress"):
        problems = {"offering": "This offering's token is not deployed yet: distributions start after deployment.",
                    **problems}
    data = _read_document(config, document, problems)
    if not set(problems) - {"document"}:  # the chain is asked only about an otherwise valid form
        _check_amounts(config, offering, fields, problems)
    if problems:
        raise DeclarationRefused(problems)
    distribution_id = ObjectId()
    doc = _document(distribution_id, actor, offering, fields, now)
    with uploads.Batch(config["UPLOAD_DIR"], str(actor["_id"]), config["UPLOAD_MAX_BYTES"]) as batch:
        stored = batch.store(io.BytesIO(data))
        doc.update(documentName=stored.name, documentHash=hashlib.sha256(data).hexdigest(),
                   documentUrl=f"/distributions/{distribution_id}/document")
        distributions.insert(get_db(config), doc)
        batch.keep()
    audit.record("distribution.declared", actor=actor, details={
        "distributionId": str(distribution_id), "offeringId": str(offering["_id"]), "totalAmount": doc["totalAmount"]})
    log.info("distribution %s declared for offering %s by %s", distribution_id, offering["_id"], actor["_id"])
    return distribution_id


def _parse(typed: dict, now: datetime) -> tuple[dict, dict[str, str]]:
    problems: dict[str, str] = {}
    fields: dict = {"dividendType": typed.get("dividendType"), "paymentMethod": typed.get("paymentMethod"),
                    "perToken": typed.get("amountKind") == "perToken"}
    if fields["dividendType"] not in rules.DIVIDEND_TYPES:
        problems["dividendType"] = "Choose the kind of distribution."
    if fields["paymentMethod"] not in rules.PAYMENT_METHODS:
        problems["paymentMethod"] = "Choose how holders are paid: stablecoin or bank transfer."
    amount, problem = numerals.parse_amount(typed.get("amount"), platform_currency())
    if problem or not amount:
        problems["amount"] = problem or ("The amount per token must be more than zero." if fields["perToken"]
                                         else "The total to distribute must be more than zero.")
    fields["amount"] = amount
    fields["recordDate"] = rules.parse_moment(typed.get("recordDate"), end_of_day=True)
    fields["paymentDate"] = rules.parse_moment(typed.get("paymentDate"), end_of_day=False)
    problems.update(rules.date_refusals(now, fields["recordDate"], fields["paymentDate"]))
    waterfall = {}
    for key, label in rules.WATERFALL:
        value, problem = numerals.parse_amount(typed.get(key) or "0", platform_currency())
        if problem:
            problems[key] = f"{label}: {problem}"
        waterfall[key] = value or 0
    fields["waterfall"] = waterfall
    if not any(key in problems for key, _ in rules.WATERFALL):
        refusal = rules.waterfall_refusal(waterfall, None if fields["perToken"] else amount)
        if refusal:
            problems["distributable"] = refusal
    return fields, problems


def _read_document(config: dict, document: BinaryIO | None, problems: dict[str, str]) -> bytes:
    """The supporting document's bytes, checked (413 above the limit is raised at once: nothing more to say)."""
    if document is None:
        problems["document"] = "Attach the supporting document (the rent roll or the board's decision)."
        return b""
    data = uploads.read_limited(document, config["UPLOAD_MAX_BYTES"])
    try:
        uploads.check(data)
    except uploads.UploadRefused as refusal:
        problems["document"] = str(refusal)
    return data


def _check_amounts(config: dict, offering: dict, fields: dict, problems: dict[str, str]) -> None:
    """The total at today's supply for a per-token amount, then the treasury's stablecoin balance."""
    w3 = web3_client.get(config)
    if fields["perToken"]:
        supply = contract(w3, "Token", offering["tokenAddress"]).functions.totalSupply().call()
        fields["expectedTotal"] = rules.total_for_per_token(fields["amount"], supply, decimals_of(offering))
        if fields["waterfall"]["distributable"] != fields["expectedTotal"]:
            problems["distributable"] = (f"Distributable must equal the total at today's supply, "
                                         f"{money(fields['expectedTotal'])}.")
            return
    total = fields.get("expectedTotal", fields["amount"])
    if fields["paymentMethod"] == "stablecoin":
        try:
            coin, treasury = stablecoin.stablecoin(config), stablecoin.treasury(config)
        except stablecoin.PaymentsUnavailable:
            problems["paymentMethod"] = "Stablecoin payouts are not set up on this platform: pay by bank transfer."
            return
        balance = contract(w3, "TestUSD", coin["address"]).functions.balanceOf(treasury).call()
        available = balance // 10 ** (int(coin["decimals"]) - 2)
        if rules.stablecoin_units(total, int(coin["decimals"])) > balance:
            problems["amount"] = (f"The treasury holds {money(available)} in {coin['symbol']}, less than the "
                                  f"{money(total)} to distribute: fund it first, or pay by bank transfer.")


def _document(distribution_id: ObjectId, actor: dict, offering: dict, fields: dict, now: datetime) -> dict:
    per_token = fields["perToken"]
    return {"_id": distribution_id, "offeringId": offering["_id"], "issuerId": actor["_id"],
            "offeringName": title_of(offering), "tokenAddress": offering["tokenAddress"],
            "tokenDecimals": decimals_of(offering), "dividendType": fields["dividendType"],
            "currency": platform_currency(), "paymentMethod": fields["paymentMethod"],
            "totalAmount": None if per_token else fields["amount"],
            "amountPerToken": fields["amount"] if per_token else None,
            "declarationDate": now, "recordDate": fields["recordDate"], "paymentDate": fields["paymentDate"],
            "waterfall": fields["waterfall"], "status": rules.DECLARED, "createdBy": actor["_id"], "createdAt": now}
