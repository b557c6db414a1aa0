"""The portfolio's pure folds: value, cost basis, gain, frozen amounts, allocation, transactions, value over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bson import ObjectId

from app.chain.constants import ZERO_ADDRESS
from app.domain.platform.charts import share_bar, time_line_chart
from app.domain.portfolio import rules as pf

ALICE, ALICE_2, BOB = "0x" + "a1" * 20, "0x" + "a2" * 20, "0x" + "b0" * 20
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def offering(token: str, *, nav: int = 100_00, launch: int = 100_00, decimals: int = 0, title: str = "Harbour",
             history: list | None = None) -> dict:
    return {"_id": ObjectId(), "tokenAddress": token, "overview": {"title": title}, "navHistory": history or [],
            "projectDetails": {"latestNav": nav, "navLaunchPrice": launch, "tokenDecimals": decimals,
                               "tokenTicker": title[:3].upper()}}


def holding(token: str, wallet: str, balance: int, frozen: int = 0, is_frozen: bool = False) -> dict:
    return {"token": token, "wallet": wallet, "balance": str(balance), "frozen": str(frozen), "isFrozen": is_frozen}


def order(off: dict, quantity: int, total: int, *, status: str = "minted", fee: int = 0, **fields) -> dict:
    return {"_id": ObjectId(), "offeringId": off["_id"], "quantity": quantity, "amount": total - fee,
            "feeAmount": fee, "totalAmount": total, "status": status, "isSettled": status in ("settled", "minted"),
            "isMinted": status == "minted", "orderReceived": T0, **fields}


def transfer(token: str, sender: str, receiver: str, value: int, block: int, at: datetime, log: int = 0) -> dict:
    return {"event": "Transfer", "address": token, "args": {"from": sender, "to": receiver, "value": str(value)},
            "blockNumber": block, "logIndex": log, "transactionHash": f"0x{block:064x}", "storedAt": at,
            "retracted": False}


def test_token_units_and_value_never_use_floats():
    assert pf.units(123450, 2) == "1,234.5"
    assert pf.units(-5, 0) == "-5"
    assert pf.units(10**18 + 1, 18) == "1.000000000000000001"
    assert pf.value_cents(3, 333, 1) == 100  # 0.3 token at $3.33 = 99.9 cents, rounded half up
    assert pf.value_cents(10**18 * 7, 125_00, 18) == 875_00


def test_value_cost_basis_and_gain_with_fees_in_the_cost():
    off = offering("0xT1", nav=120_00)
    held = pf.positions([holding("0xT1", ALICE, 10)], [off],
                        [order(off, 10, 1_020_00, fee=20_00)])
    (p,) = held
    assert (p.balance, p.value, p.cost_basis) == (10, 1_200_00, 1_020_00)
    assert p.gain == 180_00 and p.gain_bps == 1764  # 180 / 1020 = 17.64 %
    assert pf.signed_percent(p.gain_bps) == "+17.64%"
    assert pf.signed_percent(-75) == "-0.75%" and pf.signed_percent(None) == "n/a"


def test_holdings_of_several_wallets_sum_and_frozen_amounts_stay_in_the_value():
    off = offering("0xT1")
    docs = [holding("0xT1", ALICE, 30, frozen=12), holding("0xT1", ALICE_2, 5, is_frozen=True)]
    (p,) = pf.positions(docs, [off], [order(off, 35, 3_500_00)])
    assert (p.balance, p.frozen, p.wallet_frozen, p.value) == (35, 12, True, 3_500_00)
    assert p.available == 0
    (q,) = pf.positions([holding("0xT1", ALICE, 30, frozen=12)], [off], [])
    assert q.available == 18


def test_tokens_that_left_take_their_average_cost_and_transferred_in_tokens_have_none():
    off = offering("0xT1", nav=100_00)
    orders = [order(off, 10, 900_00), order(off, 10, 1_100_00)]  # average $100
    (sold_half,) = pf.positions([holding("0xT1", ALICE, 10)], [off], orders)
    assert sold_half.cost_basis == 1_000_00 and sold_half.gain == 0
    (extra,) = pf.positions([holding("0xT1", ALICE, 25)], [off], orders)
    assert extra.cost_basis == 2_000_00 and extra.gain == 0  # the 5 received by transfer are valued, not gained
    assert extra.value == 2_500_00
    (gift,) = pf.positions([holding("0xT1", ALICE, 4)], [off], [])
    assert gift.cost_basis is None and gift.gain is None and gift.value == 400_00


def test_settled_orders_awaiting_minting_are_apart_and_cancelled_or_unpaid_ones_ignored():
    off, other = offering("0xT1"), offering("0xT2", title="Other")
    orders = [order(off, 3, 300_00, status="settled"), order(off, 9, 900_00, status="pending_payment"),
              order(other, 4, 400_00, status="cancelled")]
    (p,) = pf.positions([], [off, other], orders)
    assert (p.balance, p.value, p.awaiting_units, p.awaiting_amount, p.cost_basis) == (0, 0, 3, 300_00, None)
    totals = pf.totals([p])
    assert (totals.value, totals.awaiting_amount, totals.positions, totals.gain_bps) == (0, 300_00, 0, None)


def test_other_tokens_and_zero_balances_are_not_positions():
    off = offering("0xT1")
    docs = [holding("0xSTABLE", ALICE, 10**9), holding("0xT1", ALICE, 0)]
    assert pf.positions(docs, [off], []) == []


def test_totals_and_allocation_sum_to_exactly_one_hundred_percent():
    offs = [offering(f"0xT{i}", title=f"O{i}") for i in range(3)]
    held = pf.positions([holding(f"0xT{i}", ALICE, 1) for i in range(3)], offs,
                        [order(o, 1, 90_00) for o in offs])
    totals = pf.totals(held)
    assert (totals.value, totals.cost_basis, totals.gain, totals.gain_bps) == (300_00, 270_00, 30_00, 1111)
    shares = pf.allocation(held)
    assert [bps for _t, _v, bps in shares] == [3334, 3333, 3333]
    bar = share_bar([(t, bps) for t, _v, bps in shares])
    assert bar[0].x == 0 and abs(bar[-1].x + bar[-1].width - 600) < 0.2
    assert pf.allocation([]) == []


def test_transactions_are_the_investors_own_token_events_newest_first():
    off = offering("0xT1", decimals=2)
    events = [
        transfer("0xT1", ZERO_ADDRESS, ALICE, 500, 10, T0),
        transfer("0xT1", ALICE, BOB, 120, 11, T0),
        transfer("0xT1", BOB, "0x" + "c0" * 20, 50, 12, T0),  # not ours
        {"event": "TokensFrozen", "address": "0xT1", "args": {"_userAddress": ALICE, "_amount": "100"},
         "blockNumber": 13, "logIndex": 0, "transactionHash": "0xf", "storedAt": T0},
        {"event": "AddressFrozen", "address": "0xT1", "args": {"_userAddress": ALICE, "_isFrozen": True,
                                                              "_owner": BOB}, "blockNumber": 14, "logIndex": 0,
         "transactionHash": "0xe", "storedAt": T0},
        transfer("0xSTABLE", ALICE, BOB, 10**6, 15, T0),  # a stablecoin payment: not an offering token
        {**transfer("0xT1", ZERO_ADDRESS, ALICE, 7, 16, T0), "retracted": True},
    ]
    rows = pf.transactions(events, [ALICE], [off])
    assert [(r["kind"], r["amount"], r["units"]) for r in rows] == [
        ("Wallet frozen", 0, "0"), ("Tokens frozen", 100, "1"), ("Sent", -120, "-1.2"), ("Minted", 500, "5")]
    assert rows[-1]["tx_hash"] == f"0x{10:064x}" and rows[2]["counterparty"] == BOB


def test_event_time_prefers_the_block_timestamp():
    assert pf.event_time({"blockTimestamp": 1_767_225_600, "storedAt": T0 + timedelta(days=3)}) == T0
    assert pf.event_time({"storedAt": T0}) == T0


def test_value_over_time_follows_balances_and_nav_history():
    history = [{"date": T0 + timedelta(days=2), "nav": 110_00}, {"date": T0 + timedelta(days=4), "nav": 90_00}]
    off = offering("0xT1", nav=90_00, launch=100_00, history=history)
    events = [transfer("0xT1", ZERO_ADDRESS, ALICE, 10, 1, T0 + timedelta(days=1)),
              transfer("0xT1", ALICE, BOB, 4, 2, T0 + timedelta(days=3))]
    now = T0 + timedelta(days=5)
    series = pf.value_series(events, [ALICE], [off], now, current_value=540_00)
    assert series == [(T0 + timedelta(days=1), 1_000_00), (T0 + timedelta(days=2), 1_100_00),
                      (T0 + timedelta(days=3), 660_00), (T0 + timedelta(days=4), 540_00), (now, 540_00)]
    chart = time_line_chart(series)
    assert chart.minimum == 540_00 and chart.maximum == 1_100_00
    assert chart.labels == [("2026-01-02", "100000"), ("2026-01-06", "54000")]
    assert chart.points.startswith("8.0,") and chart.points.split()[-1].startswith("592.0,")
    assert pf.value_series([], [ALICE], [off], now, 0) == []


def test_value_over_time_uses_the_nav_in_force_before_the_first_token():
    off = offering("0xT1", nav=150_00, launch=100_00, history=[{"date": T0, "nav": 150_00}])
    series = pf.value_series([transfer("0xT1", ZERO_ADDRESS, ALICE, 2, 1, T0 + timedelta(hours=1))], [ALICE], [off],
                             T0 + timedelta(days=1), 300_00)
    assert series[0][1] == 300_00


def test_order_rows_show_live_status_and_payment_details_newest_first():
    off = offering("0xT1", decimals=0)
    older = order(off, 5, 500_00, status="minted", tx_hash="0xabc", orderReceived=T0)
    newer = order(off, 2, 200_00, status="pending_payment", paymentMethod="fiat", paymentReference="LIB-7K2Q-9XMD",
                  orderReceived=T0 + timedelta(hours=1))
    flagged = order(off, 1, 100_00, status="payment_review", paymentFlag="underpaid",
                    paymentFlagReason="Paid $50.00 of $100.00", orderReceived=T0 + timedelta(hours=2))
    crypto = order(off, 1, 100_00, status="pending_payment", paymentMethod="crypto", paymentDue=100_00 * 10**4,
                   paymentAddress="0xTREASURY", orderReceived=T0 - timedelta(hours=1))
    rows = pf.order_rows([older, newer, flagged, crypto], [off])
    assert rows.pop()["due"] == "100" and len(rows) == 3
    assert [r["status_label"] for r in rows] == ["Payment being checked", "Awaiting payment", "Minted"]
    assert [r["live"] for r in rows] == [True, True, False]
    assert rows[1]["reference"] == "LIB-7K2Q-9XMD" and rows[2]["tx_hash"] == "0xabc"
    assert rows[0]["flag_reason"] == "Paid $50.00 of $100.00" and rows[0]["offering"] == "Harbour"


def test_dividends_received_count_only_paid_ones():
    off = offering("0xT1")
    docs = [{"offeringId": off["_id"], "walletAddress": ALICE, "dividendAmount": 12_50, "status": "paid",
             "dividendType": "rental", "recordDate": T0},
            {"offeringId": off["_id"], "walletAddress": ALICE, "dividendAmount": 30_00, "status": "pending",
             "recordDate": T0 + timedelta(days=30)}]
    rows, received = pf.dividend_rows(docs, [off])
    assert received == 12_50 and rows[0]["status"] == "pending" and rows[1]["offering"] == "Harbour"
