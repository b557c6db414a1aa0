"""Placing, showing and cancelling an investor's orders, atomically and exactly once.

Placement checks the rules, then under the offering's reservations lock (`locks.reservations`)
reserves the investor's holding and the offering's supply in one atomic step
(app/domain/orders/reservations.py) and inserts the order, already `pending_payment`. Why the
lock around both: without transactions (app/locks.py) the reservation and the order cannot be
one write; the lock makes them one step that a recount never sees half done. The unique idempotency
key makes a double submit return the first order (its reservation is given back); an insert
that fails for any other reason gives the reservation back too before the error goes on, so
no tokens stay reserved without an order (its in-flight mark stays: should a lost connection
hide an insert that landed, the next placement recounts from the orders before reserving).
The reservation counts whole tokens (`tokens`), never base units: those are the order's
`quantity` (app/data/amounts.py). A process that dies inside the lock leaves its in-flight
mark in Redis; the next holder sees it and rebuilds the counters from the orders (`flask
orders repair` rebuilds every offering's).

Reservations do not touch the offering's cached page or the marketplace catalogue: they show
the raise and tokens sold, which settlement changes (and tells the cache, app.cache), not
what is merely reserved; the order form reads the remaining supply fresh.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime

from bson import ObjectId
from web3 import Web3

from app import locks
from app.data import holdings, offerings, orders, user_details, users, whitelists
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.custody import rules as custody_rules
from app.domain.custody import service as custody
from app.domain.marketplace import listing
from app.domain.onboarding import revocation
from app.domain.orders import reservations
from app.domain.orders import rules as order_rules
from app.domain.orders.rules import Quote, Refusal, Standing
from app.domain.payments import stablecoin as payments
from app.domain.platform import stage_mails
from app.extensions import redis_client

_KEY = re.compile(r"^[0-9a-f]{32}$")
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed into banking apps
EXPIRED_FORM = "This order form has expired; reload the page and submit it again."


class NotFound(errors.NotFound):
    """No such order or offering for this investor (shown as a 404, revealing nothing)."""


def new_form_key() -> str:
    """The idempotency key a freshly rendered order form carries."""
    return secrets.token_hex(16)


def new_payment_reference() -> str:
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"LIB-{chars[:4]}-{chars[4:]}"


def offering_for_order(config: dict, offering_id: str, user: dict) -> dict:
    """A listed offering the investor may see (a private one only to its members), else NotFound."""
    oid = parse_id(offering_id)
    doc = offerings.by_id(get_db(config), oid) if oid else None
    if doc is None or listing.listing_state(doc, datetime.now(UTC)) is None or not listing.visible_to(doc, user):
        raise NotFound(offering_id)
    return doc


def _reserved(config: dict, offering_id, user_id=None) -> int:
    return reservations.reserved(config, offering_id, user_id)


def order_context(config: dict, user: dict, offering: dict) -> dict:
    """What the order form shows around the inputs: price, fee, limits, wallets, payment methods."""
    db = get_db(config)
    wl = whitelists.of_user(db, user["_id"], offering["_id"]) or {}
    wallets = user_details.verified_wallets(db, user["_id"])
    known = reservations.current(config, offering["_id"])  # else rebuilt by the next placement, not by a GET
    return {"price": order_rules.nav_price(offering), "fee_bps": order_rules.fee_bps(offering),
            "remaining": order_rules.remaining_supply(offering, _reserved(config, offering["_id"])) if known else None,
            "holding_limit": order_rules.holding_limit(offering),
            "reserved": _reserved(config, offering["_id"], user["_id"]),
            "whitelisted": wl.get("status") == whitelists.APPROVED,
            "wallets": wallets, "default_wallet": wl.get("address") or (wallets[0] if wallets else ""),
            "crypto": bool(offering.get("paymentAddress")), "held_wallet": _held_address(config, user),
            "held_reason": custody_rules.HELD_PAYMENT_REASON}


def _held_address(config: dict, user: dict) -> str | None:
    """The investor's platform-held wallet: orders to it are paid by bank transfer only."""
    held = custody.held_wallet(config, user["_id"])
    return held["address"] if held else None


def _checksum(text: str) -> str:
    text = (text or "").strip()
    return Web3.to_checksum_address(text) if Web3.is_address(text) else text


def _outside_tokens(db, offering: dict, user_id, wallet: str) -> int:
    """Whole tokens the wallet holds on chain beyond what this investor's minted orders brought (transfers in).

    Read outside the lock (the on-chain MaxBalance module has the last word), but it keeps
    the limit honest for tokens that did not come through an order.
    """
    token = offering.get("tokenAddress")
    held = holdings.load(db, token, [wallet]).get(wallet) if token and wallet else None
    if not held or int(held.get("balance") or 0) == 0:
        return 0
    minted = sum(int(o.get("quantity") or 0) for o in orders.of_investor(db, user_id, offering["_id"])
                 if o.get("isMinted"))
    return max(0, (int(held["balance"]) - minted) // order_rules.unit(offering))


def assess(config: dict, user: dict, offering: dict, form: dict, counters: bool = True) -> tuple[Quote, dict]:
    """The order's figures once every rule passed (raises Refusal); also the whitelist, wallet and room.

    `counters=False` leaves the supply and holding to the check under the lock (placement reads
    them there anyway); the preview and the confirm step check them here.
    """
    db = get_db(config)
    _refuse_revoked(db, user)
    q = order_rules.quote(offering, tokens_text=form.get("tokens", ""), amount_text=form.get("amount", ""))
    if form.get("method") not in order_rules.PAYMENT_METHODS:
        raise Refusal("Choose how you will pay: bank transfer or stablecoin.", "method")
    wl = whitelists.of_user(db, user["_id"], offering["_id"]) or {}
    wallet = _checksum(form.get("wallet") or wl.get("address") or "")
    outside = _outside_tokens(db, offering, user["_id"], wallet)
    standing = Standing(whitelisted=wl.get("status") == whitelists.APPROVED, wallet=wallet,
                        verified_wallets=tuple(user_details.verified_wallets(db, user["_id"])),
                        whitelisted_wallet=wl.get("address"),
                        held_tokens=outside + (_reserved(config, offering["_id"], user["_id"]) if counters else 0))
    order_rules.check(offering, q, standing, datetime.now(UTC), _reserved(config, offering["_id"]) if counters else 0)
    if form["method"] == "crypto" and not offering.get("paymentAddress"):
        raise Refusal("This offering does not take stablecoin payments yet; choose bank transfer.", "method")
    if form["method"] == "crypto" and custody.is_held_by_platform(config, user["_id"], wallet):
        raise Refusal(custody_rules.HELD_PAYMENT_REASON, "method")
    limit = order_rules.holding_limit(offering)
    return q, {"whitelist": wl, "wallet": wallet, "outside": outside,
               "holding_room": (limit - outside) if limit else None}


def _refuse_revoked(db, user: dict) -> None:
    """An investor whose KYC staff revoked orders nothing (read fresh: the session's copy may predate it)."""
    current = users.by_id(db, user["_id"]) or user
    if current.get("kycStatus") == revocation.EXPIRED:
        raise Refusal(f"{current.get('kycReason') or 'Your identity verification expired.'} Until then you "
                      "cannot place orders.")
    if current.get("kycStatus") == "rejected":
        raise Refusal("Your identity verification was not accepted, so you cannot place orders until it is "
                      f"verified again. Reason: {current.get('kycReason') or 'not given'}")
    if revocation.is_revoked(current):
        raise Refusal("Your identity verification was revoked, so you cannot place orders until it is verified "
                      f"again. Reason: {current.get('kycReason') or 'not given'}")


def place(config: dict, user: dict, offering_id: str, form: dict) -> dict:
    """Place the order (or find the one this form already placed); raises Refusal with the reason."""
    key = form.get("key") or ""
    if not _KEY.match(key):
        raise Refusal(EXPIRED_FORM)
    db = get_db(config)
    existing = orders.by_key(db, key)
    if existing is not None:
        return _own(existing, user)
    offering = offering_for_order(config, offering_id, user)
    q, position = assess(config, user, offering, form, counters=False)
    doc = _order_doc(config, user, offering, q, form["method"], key, position)
    with locks.reservations(offering["_id"], config), _in_flight(config, offering["_id"], str(doc["_id"])):
        placed = _reserve_and_insert(config, db, doc, offering, position, user)
    stage_mails.order_placed(config, user, placed)  # once per order (its key), however often the form is sent
    return placed


@contextlib.contextmanager
def _in_flight(config: dict, offering_id, mark: str) -> Iterator[None]:
    """Inside `locks.reservations` (threads of this process queue for it locally, so one polls Redis):
    `mark` names the work in the lock until it ends cleanly (done, or refused with nothing reserved).
    Finding an earlier mark means its process died inside the lock: rebuild the counters first."""
    redis, key = redis_client.get(config), f"orders:inflight:{offering_id}"
    if redis.set(key, mark, get=True) is not None or not reservations.current(config, offering_id):
        _recount(config, offering_id)
    try:
        yield
    except (Refusal, locks.Busy):  # refused, or a lock inside stayed busy: nothing reserved either way
        redis.delete(key)
        raise
    redis.delete(key)


def _own(order: dict, user: dict) -> dict:
    if order["userId"] != user["_id"]:  # someone replayed another investor's form key
        raise Refusal(EXPIRED_FORM)
    return order


def _order_doc(config: dict, user: dict, offering: dict, q: Quote, method: str, key: str, position: dict) -> dict:
    now = datetime.now(UTC)
    details = offering.get("projectDetails") or {}
    doc = {"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"],
           "whitelistId": position["whitelist"]["_id"], "walletAddress": position["wallet"], "tokens": q.tokens,
           "quantity": q.quantity, "price": q.price, "amount": q.amount, "feesInPercentage": q.fee_percent,
           "feeBps": q.fee_bps, "feeAmount": q.fee_amount, "totalAmount": q.total, "paymentMethod": method,
           "status": orders.PENDING_PAYMENT, "isSettled": False, "isMinted": False, "isFreezed": False,
           "orderReceived": now, "createdAt": now, "idempotencyKey": key, "paymentReference": new_payment_reference(),
           "paidAmount": 0, "payments": [], "paymentFlag": None, "investorEmail": user.get("email"),
           "offeringTitle": (offering.get("overview") or {}).get("title"), "tokenTicker": details.get("tokenTicker")}
    if method == "crypto":
        doc.update(_crypto_terms(config, offering, q.total))
    return doc


def _crypto_terms(config: dict, offering: dict, total_cents: int) -> dict:
    """The stablecoin, receiving address and amount due in its base units (its own decimals, not assumed)."""
    try:
        return payments.crypto_terms(config, offering["_id"], total_cents)
    except (payments.PaymentsUnavailable, LookupError, ValueError):
        raise Refusal("Stablecoin payments are not available right now; choose bank transfer.", "method") from None


def _reserve_and_insert(config: dict, db, doc: dict, offering: dict, position: dict, user: dict) -> dict:
    """With the lock held: reserve the holding and the supply, then insert the order."""
    oid, uid, tokens = offering["_id"], doc["userId"], doc["tokens"]
    outcome = reservations.reserve(config, oid, uid, tokens, position["holding_room"], order_rules.supply(offering))
    if outcome == reservations.HOLDING_FULL:
        raise _holding_refusal(config, offering, uid, tokens, position)
    if outcome == reservations.SUPPLY_FULL:
        raise _supply_refusal(config, offering, tokens)
    try:
        placed = _insert(db, doc)
    except BaseException:
        reservations.release(config, oid, uid, tokens)  # nothing was inserted: no tokens stay reserved
        raise
    if placed is not doc:  # the same form, submitted again meanwhile: its first order holds the tokens
        reservations.release(config, oid, uid, tokens)
        return _own(placed, user)
    return doc


def _insert(db, doc: dict) -> dict:
    """Insert the order, drawing another payment reference on a clash; the order with its idempotency key
    if one exists already."""
    for _ in range(5):
        try:
            orders.insert_new(db, doc)
            return doc
        except orders.DuplicateOrder as clash:
            if clash.field == "idempotencyKey":
                return orders.by_key(db, doc["idempotencyKey"])
            doc["paymentReference"] = new_payment_reference()
    raise RuntimeError("no free payment reference after 5 draws")  # 32**8 references: never in practice


def _holding_refusal(config: dict, offering: dict, user_id, tokens: int, position: dict) -> Refusal:
    try:
        order_rules.check_holding(offering, tokens, _reserved(config, offering["_id"], user_id) + position["outside"])
    except Refusal as refusal:
        return refusal
    return Refusal("Your other orders for this offering changed meanwhile; please submit again.")


def _supply_refusal(config: dict, offering: dict, tokens: int) -> Refusal:
    try:
        order_rules.check_supply(tokens, order_rules.remaining_supply(offering, _reserved(config, offering["_id"])))
    except Refusal as refusal:
        return refusal
    return Refusal("Other investors' orders changed the remaining supply meanwhile; please submit again.")


def own_order(config: dict, user: dict, order_id: str) -> dict:
    oid = parse_id(order_id)
    order = orders.get(get_db(config), oid) if oid else None
    if order is None or order.get("userId") != user["_id"]:
        raise NotFound(order_id)
    return order


def cancel(config: dict, user: dict, order_id: str) -> dict:
    """Cancel an unpaid order: its tokens go back to the offering and to the investor's limit."""
    order = own_order(config, user, order_id)
    cancelled = _cancel(config, order, {"cancelledBy": str(user["_id"])})
    stage_mails.order_cancelled_by_investor(cancelled)
    return cancelled


def cancel_for_staff(config: dict, order: dict, staff_id, reason: str) -> dict:
    """Staff cancel an unpaid order (the back office checked their permission): released like the investor's."""
    return _cancel(config, order, {"cancelledBy": str(staff_id), "cancelledByStaff": True, "cancelReason": reason})


def cancel_expired(config: dict, order: dict, reason: str) -> dict:
    """The payment window lapsed (app.domain.orders.expiry): released like the investor's cancel, marked expired."""
    return _cancel(config, order, {"cancelledBy": "expiry", "expired": True, "cancelReason": reason})


def _cancel(config: dict, order: dict, fields: dict) -> dict:
    """pending_payment -> cancelled, then give the reservation back; raises Refusal when the order is not unpaid.

    The status change holds settlement's lock on the order too, so a payment being recorded
    at the same moment either lands first (then the order is no longer cancellable) or finds
    the order cancelled: the conditional update alone cannot decide that race (app/locks.py).
    """
    db, investor_id, offering_id = get_db(config), order["userId"], order["offeringId"]
    with locks.reservations(offering_id, config), _in_flight(config, offering_id, f"cancel:{order['_id']}"):
        with locks.order(order["_id"], config):
            updated = orders.transition(db, order["_id"], {"status": orders.PENDING_PAYMENT, "userId": investor_id},
                                        {"status": orders.CANCELLED, "cancelledAt": datetime.now(UTC), **fields})
        if updated is None:
            raise Refusal("Only an order still waiting for its payment can be cancelled.")
        tokens = _whole(updated, order_rules.unit(offerings.by_id(db, order["offeringId"]) or {}))
        reservations.release(config, order["offeringId"], investor_id, tokens)
    return updated


def _whole(order: dict, unit: int) -> int:
    """Whole tokens of an order (older orders carry only `quantity`, in base units)."""
    return int(order["tokens"]) if order.get("tokens") is not None else int(order.get("quantity") or 0) // unit


def repair(config: dict) -> dict[str, int]:
    """`flask orders repair`: recount every offering's reservations from its orders; safe to run any time."""
    db = get_db(config)
    done = {"offerings": 0, "corrected": 0}
    for offering_id in orders.offering_ids(db):
        with locks.reservations(offering_id, config), _in_flight(config, offering_id, "repair"):
            done["corrected"] += _recount(config, offering_id)
        done["offerings"] += 1
    return done


def _recount(config: dict, offering_id) -> int:
    """With the lock held, rebuild the offering's counters from its placed orders; counters changed."""
    db = get_db(config)
    unit = order_rules.unit(offerings.by_id(db, offering_id) or {})
    total, per_investor = 0, {}
    for order in orders.held(db, offering_id):
        tokens = _whole(order, unit)
        total += tokens
        if order.get("userId") is not None:
            per_investor[order["userId"]] = per_investor.get(order["userId"], 0) + tokens
    return reservations.rebuild(config, offering_id, total, per_investor)
