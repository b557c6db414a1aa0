"""Chain-sync's read models: holdings, token status, minted orders, registry membership.

Why this shape: every projection document carries the position (block, log index) of the
last event folded into it and is rewritten whole in one single-document write, so a
message replayed after a crash (written, not committed) is skipped, never counted twice.
Events of one contract arrive in chain order (Kafka key = contract address). A reorg
retraction recomputes the affected contract's projections from the events still live in
`chainEvents`, so after any sequence of reorgs the projections equal a fold of the
canonical chain. FerretDB has no transactions; nothing here needs one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from app import locks
from app.chain.constants import ZERO_ADDRESS
from app.data import (
    chain_events,
    chain_tokens,
    holdings,
    mint_claims,
    mint_txs,
    offerings,
    registrations,
    whitelists,
)
from app.events import order_freezes

START = (-1, -1)
TOKEN_EVENTS = {"Transfer", "TokensFrozen", "TokensUnfrozen", "AddressFrozen", "Paused", "Unpaused"}
REGISTRY_EVENTS = {"IdentityRegistered", "IdentityRemoved"}


def position(event: dict) -> tuple[int, int]:
    return int(event["blockNumber"]), int(event["logIndex"])


def wallets_of(event: dict) -> list[str]:
    """Holders whose projection the token event changes."""
    args = event["args"]
    if event["event"] == "Transfer":
        return [w for w in (args["from"], args["to"]) if w != ZERO_ADDRESS]
    if event["event"] in ("TokensFrozen", "TokensUnfrozen", "AddressFrozen"):
        return [args["_userAddress"]]
    return []


def fold_holding(state: dict, wallet: str, event: dict) -> None:
    """Apply one token event to a holder's {balance, frozen, isFrozen} (pure)."""
    args, name = event["args"], event["event"]
    if name == "Transfer":
        amount = int(args["value"])
        state["balance"] += amount if args["to"] == wallet else 0
        state["balance"] -= amount if args["from"] == wallet else 0
    elif name == "TokensFrozen":
        state["frozen"] += int(args["_amount"])
    elif name == "TokensUnfrozen":
        state["frozen"] -= int(args["_amount"])
    elif name == "AddressFrozen":
        state["isFrozen"] = bool(args["_isFrozen"])
    state["wm"] = position(event)


def fold_token(state: dict, event: dict) -> None:
    """Apply one token event to {paused, supply} (pure)."""
    name, args = event["event"], event["args"]
    if name in ("Paused", "Unpaused"):
        state["paused"] = name == "Paused"
    elif name == "Transfer" and args["from"] == ZERO_ADDRESS:
        state["supply"] += int(args["value"])
    elif name == "Transfer" and args["to"] == ZERO_ADDRESS:
        state["supply"] -= int(args["value"])
    state["wm"] = position(event)


def apply_logs(db, logs: list[dict]) -> None:
    """Fold newly stored logs into the projections (events at or below a watermark are skipped)."""
    by_contract: dict[str, list[dict]] = defaultdict(list)
    for log in logs:
        if log["event"] in TOKEN_EVENTS or log["event"] in REGISTRY_EVENTS:
            by_contract[log["address"]].append(log)
    for address, events in by_contract.items():
        events.sort(key=position)
        token_events = [e for e in events if e["event"] in TOKEN_EVENTS]
        if token_events:
            _apply_token(db, address, token_events)
        registry_events = [e for e in events if e["event"] in REGISTRY_EVENTS]
        if registry_events:
            _apply_registry(db, address, registry_events)
    _mark_minted(db, [log for log in logs if log["event"] == "Transfer" and log["args"]["from"] == ZERO_ADDRESS])
    order_freezes.confirm(db, logs)  # an order's isFreezed, once its freeze is on chain


def _mark_minted(db, mints: list[dict]) -> None:
    """Orders whose mint job's transaction is among these mints are minted (at the block's time when known)."""
    times = {m["transactionHash"]: minted_at(m) for m in mints}
    for tx_hash, order_ids in mint_txs.orders_by_tx(db, sorted(times)).items():
        mint_claims.mark_minted(db, order_ids, tx_hash, times[tx_hash])


def minted_at(event: dict) -> datetime:
    """The block's timestamp (chain-monitor sends it); the time of applying for older messages without it."""
    stamp = event.get("blockTimestamp")
    return datetime.fromtimestamp(int(stamp), UTC) if stamp is not None else datetime.now(UTC)


def recompute(db, address: str, dropped: list[dict]) -> None:
    """After a retraction on `address`: rebuild its projections from its live events, unmint dropped mints."""
    live = chain_events.live_for_address(db, address)
    for event in live:
        event["args"] = dict(event["args"])
    token_events = [e for e in live if e["event"] in TOKEN_EVENTS]
    if token_events or any(e["event"] in TOKEN_EVENTS for e in dropped):
        states: dict[str, dict] = {}
        token = {"paused": True, "supply": 0, "wm": START}
        for event in token_events:
            for wallet in wallets_of(event):
                fold_holding(states.setdefault(wallet, _new_holding()), wallet, event)
            fold_token(token, event)
        holdings.replace_token(db, address, states)
        _save_token(db, address, token)
    if any(e["event"] in REGISTRY_EVENTS for e in dropped):
        _apply_registry(db, address, [e for e in live if e["event"] in REGISTRY_EVENTS], rebuild=True,
                        touched={e["args"]["investorAddress"] for e in dropped if e["event"] in REGISTRY_EVENTS})
    live_mints = {e["transactionHash"] for e in live if e["event"] == "Transfer" and e["args"]["from"] == ZERO_ADDRESS}
    for tx_hash in {e["transactionHash"] for e in dropped if e["event"] == "Transfer"} - live_mints:
        mint_claims.unmark_minted(db, tx_hash)


def _new_holding() -> dict:
    return {"balance": 0, "frozen": 0, "isFrozen": False, "wm": START}


def _apply_token(db, token: str, events: list[dict]) -> None:
    wallets = sorted({w for e in events for w in wallets_of(e)})
    stored = holdings.load(db, token, wallets)
    states = {w: _state_from(stored.get(w)) for w in wallets}
    changed = set()
    for event in events:
        for wallet in wallets_of(event):
            if position(event) > states[wallet]["wm"]:
                fold_holding(states[wallet], wallet, event)
                changed.add(wallet)
    holdings.save(db, token, {w: states[w] for w in changed})
    saved = chain_tokens.load(db, token)
    token_state = ({"paused": saved["paused"], "supply": int(saved["totalSupply"]),
                    "wm": (saved["wmBlock"], saved["wmLog"])} if saved else {"paused": True, "supply": 0, "wm": START})
    fresh = [e for e in events if position(e) > token_state["wm"]]
    for event in fresh:
        fold_token(token_state, event)
    if fresh:
        _save_token(db, token, token_state, mirror=saved is None or saved["paused"] != token_state["paused"])


def _save_token(db, token: str, state: dict, *, mirror: bool = True) -> None:
    """The token's pause state on the offering when it changed (that write scans offerings), then its projection.

    The mirror goes first: the projection's watermark is what makes a retry skip these events, so a busy
    offering lock or a crash between the two writes must leave the watermark unwritten (the retry folds
    the events again and mirrors again; the mirror is idempotent)."""
    if mirror:
        for offering_id in offerings.ids_by_token(db, token):
            # Settlement counts the raise on the same document (app/locks.py).
            with locks.offering(offering_id):
                offerings.set_token_paused(db, offering_id, state["paused"])
            if not state["paused"]:  # before the watermark too: a retry notes the opening and mails again (once)
                from app.domain.offerings.opening import token_opened  # here: the domain imports app.events
                token_opened(db, offering_id)
    chain_tokens.save(db, token, state)


def _state_from(doc: dict | None) -> dict:
    if doc is None:
        return _new_holding()
    return {"balance": int(doc["balance"]), "frozen": int(doc["frozen"]), "isFrozen": doc["isFrozen"],
            "wm": (doc["wmBlock"], doc["wmLog"])}


def _apply_registry(db, registry: str, events: list[dict], *, rebuild: bool = False,
                    touched: set[str] | None = None) -> None:
    wallets = sorted({e["args"]["investorAddress"] for e in events} | (touched or set()))
    stored = {} if rebuild else registrations.load(db, registry, wallets)
    states = {w: ({"registered": d["registered"], "identity": d["identity"], "wm": (d["wmBlock"], d["wmLog"])}
                  if (d := stored.get(w)) else {"registered": False, "identity": None, "wm": START})
              for w in wallets}
    for event in events:
        state = states[event["args"]["investorAddress"]]
        if position(event) > state["wm"]:
            state.update(registered=event["event"] == "IdentityRegistered", identity=event["args"]["identity"],
                         wm=position(event))
    registrations.save(db, registry, states)
    offering_ids = offerings.ids_by_registry(db, registry)
    for wallet, state in states.items():
        for whitelist_id in whitelists.ids_of_wallet(db, offering_ids, wallet):
            # A reviewer or the registration job may write the same request (app/locks.py).
            with locks.whitelist(whitelist_id):
                whitelists.set_registered(db, whitelist_id, state["registered"])
