"""`flask demo seed`: the demo's steps in order, once (a marker in MongoDB), never in production."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.data import demo_runs, users
from app.data.mongo import get_db
from app.demo import after_sale, distributions, investing, offerings, people, valuations
from app.domain.accounts import password_rules

# Who buys what: (investor index, offering title, tokens, payment method). Sized in whole tokens above each
# offering's minimum investment; the stablecoin order shows the on-chain payment path.
ORDERS = ((0, "Harbourside Lofts", 20, "fiat"), (0, "Canal Street Offices", 8, "crypto"),
          (1, "Harbourside Lofts", 12, "fiat"), (1, "Old Mill Cottages", 40, "fiat"))


class DemoRefused(RuntimeError):
    """The demo may not run here (production) or with this password; the message says what to change."""


@dataclass(frozen=True)
class Outcome:
    created: bool  # False: the demo was there already
    logins: tuple[tuple[str, str], ...]  # (role, email)


def logins() -> tuple[tuple[str, str], ...]:
    return (("admin", people.ADMIN_PERSON.email), ("issuer", people.ISSUER_PERSON.email),
            *((f"investor {n}", p.email) for n, p in enumerate(people.INVESTORS, start=1)))


def run(config, password: str, say: Callable[[str], None] = print) -> Outcome:
    """Seed the demo unless it is complete; each step skips what an interrupted run already did."""
    if config["LIBERTUM_ENV"] == "production":
        raise DemoRefused("The demo never runs in production.")
    db = get_db()
    if demo_runs.completed(db):
        return Outcome(False, logins())
    problems = password_rules.problems(password)
    if problems:
        raise DemoRefused(f"The demo password is refused: {' '.join(problems)}")
    say("demo: people (admin, issuer, two investors with KYC and wallets)")
    admin = people.ensure_account(people.ADMIN_PERSON, password)
    issuer = people.ensure_account(people.ISSUER_PERSON, password)
    issuer = people.become_issuer(people.pass_kyc(issuer, config), admin)
    investors = [people.kyc_approved_with_wallet(person, password, config) for person in people.INVESTORS]
    listed = {}
    for spec in offerings.OFFERINGS:
        say(f"demo: offering {spec.title}" + (" (deploying on the local chain)" if spec.live else " (left for review)"))
        written = offerings.write(issuer, spec)
        if spec.live:
            listed[spec.title] = offerings.launch(admin, written)
    for index, title, tokens, method in ORDERS:
        investor = users.by_id(db, investors[index]["_id"])
        paid = "bank transfer" if method == "fiat" else "stablecoin"
        say(f"demo: {investor['email']} buys {tokens} {title} tokens ({paid})")
        investing.whitelist(investor, admin, listed[title], config)
        wallet = people.wallet_of(config, investor["email"])
        investing.order(investor, admin, listed[title], tokens, method, config, wallet=wallet)
    say("demo: Harbourside Lofts' NAV history (two valuations, approved)")
    valuations.ensure_history(issuer, admin, listed["Harbourside Lofts"])
    for spec in distributions.DISTRIBUTIONS:
        say(f"demo: {spec.title} distribution of ${spec.total} ({distributions.rules.PAYMENT_METHODS[spec.method]}),"
            " declared, approved, fixed at its record date and paid")
        distributions.ensure_paid(config, issuer, admin, listed[spec.title], spec)
    say("demo: the three listed tokens opened for transfers (unpaused)")
    after_sale.open_tokens(config, admin, listed)
    sender, recipient = (users.by_id(db, investor["_id"]) for investor in investors)
    say(f"demo: {sender['email']} sends {after_sale.TRANSFER_QUANTITY} {after_sale.TRANSFER_OFFERING} tokens to "
        f"{recipient['email']}")
    after_sale.transfer(config, sender, recipient, listed[after_sale.TRANSFER_OFFERING])
    say(f"demo: conversion to ERC-20 enabled on {after_sale.CONVERTIBLE}")
    after_sale.enable_conversion(config, issuer, listed[after_sale.CONVERTIBLE])
    demo_runs.mark_completed(db, {"logins": [email for _role, email in logins()],
                                  "offerings": len(offerings.OFFERINGS)})
    return Outcome(True, logins())
