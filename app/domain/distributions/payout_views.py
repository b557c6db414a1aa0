"""What the payout page shows staff and the issuer: where each line stands, the batches on chain, what is held or
reorged (with the reason), and what is unclaimed past DISTRIBUTION_UNCLAIMED_DAYS."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from app.data import chain_jobs, distribution_payouts, dividends
from app.data.mongo import get_db
from app.domain.distributions import fiat, unclaimed

STATUS_ORDER = (dividends.DECLARED, dividends.SCHEDULED, dividends.PAID, dividends.HELD, dividends.REORGED)
STATUS_WORDS = {dividends.DECLARED: "Waiting for the payout", dividends.SCHEDULED: "Being paid",
                dividends.PAID: "Paid", dividends.HELD: "Held", dividends.REORGED: "Payment undone by a chain reorg"}


def summary(config: dict, distribution: dict, now: datetime | None = None) -> dict:
    db = get_db(config)
    lines = dividends.of_distribution(db, distribution["_id"])
    counts = Counter(line["status"] for line in lines)
    paid = sum(int(line["dividendAmount"]) for line in lines if line["status"] == dividends.PAID)
    batches = []
    for batch in distribution_payouts.batches_of(db, distribution["_id"]):
        job = chain_jobs.get(db, batch["_id"]) or {}
        batches.append({"no": batch["batchNo"], "lines": len(batch["lineIds"]), "job": job.get("status") or "none",
                        "txHash": job.get("txHash"), "error": job.get("error"),
                        "superseded": bool(batch.get("supersededBy"))})
    rows = fiat.payment_rows(config, distribution) if distribution.get("paymentMethod") == "fiat" else []
    late = unclaimed.lines(config, distribution, now or datetime.now(UTC))
    return {"counts": [(s, STATUS_WORDS[s], counts.get(s, 0)) for s in STATUS_ORDER],
            "paidTotal": paid, "lineCount": len(lines), "batches": batches, "rows": rows,
            "attention": [line for line in lines if line["status"] in (dividends.HELD, dividends.REORGED)],
            "unclaimed": late, "unclaimedTotal": sum(int(line["dividendAmount"]) for line in late),
            "unclaimedFrom": unclaimed.cutoff(config, distribution)}
