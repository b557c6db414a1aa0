"""The "why not" checklist: every rule a movement of tokens must pass, each with pass or fail and, when it fails,
what the investor can do next. Pure: the facts come from app.domain.compliance.facts (DB and chain reads).

Two kinds of rules:
- the platform's (KYC currently valid, whitelisted for the offering): placement refuses on the same facts;
- the chain's, mirroring T-REX 4.1.6's Token.transfer / Token.mint and our modules (contracts/src/compliance):
  paused (transfers only), frozen wallets and frozen tokens, the recipient verified by the identity registry
  (registered, and a KYC claim the ClaimIssuer accepts), then each module's moduleCheck: country allow-list,
  identity max balance, investor caps (overall and per country, a seat freed by a sender giving all away),
  supply cap (mints only) and lock-up (transfers only). `chain_allows` is exactly what the token decides:
  tests/integration/checklist compares it with the chain on randomised cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    passed: bool
    detail: str = ""
    next_step: str = ""
    on_chain: bool = True


@dataclass(frozen=True)
class Party:
    """One wallet as the token sees it (amounts in base units)."""

    wallet: str
    identity: str | None = None      # the identity registry's entry (None: not registered)
    verified: bool = False           # IdentityRegistry.isVerified
    country: int = 0                 # ISO 3166 numeric, as registered
    frozen: bool = False
    balance: int = 0
    frozen_tokens: int = 0
    locked: int = 0                  # lock-up module: still locked
    holder: str = ""                 # the identity its holdings count for (the modules' ledger; else the wallet)
    identity_balance: int = 0        # all wallets of that identity together (max balance, investor caps)
    kyc_valid: bool | None = None    # the platform's KYC (None: not a platform user we know)
    kyc_reason: str = ""


@dataclass(frozen=True)
class Suite:
    """The token's and its modules' settings and counters (0 = no limit)."""

    paused: bool = False
    total_supply: int = 0
    supply_cap: int = 0
    max_balance: int = 0
    allowed_countries: frozenset = field(default_factory=frozenset)
    investor_cap: int = 0
    investors: int = 0
    country_caps: dict = field(default_factory=dict)        # country -> cap
    country_investors: dict = field(default_factory=dict)   # country -> count


def _kyc_rule(party: Party, who: str) -> Rule:
    ok = party.kyc_valid is not False
    return Rule("kyc", f"{who} identity verification is current", ok, party.kyc_reason if not ok else "",
                "Renew your identity verification from the Onboarding page." if not ok else "", on_chain=False)


def _recipient_rules(suite: Suite, sender: Party | None, to: Party, amount: int) -> list[Rule]:
    same = sender is not None and (sender.holder or sender.wallet) == (to.holder or to.wallet)
    rules = [
        Rule("registered", "The receiving wallet is registered for this token", to.identity is not None,
             next_step="Ask to be whitelisted for this offering; the receiving wallet must be whitelisted too."),
        Rule("claim", "The receiving wallet's KYC claim is valid on chain", to.verified,
             next_step="Your identity verification must be current; renew it, then wait for the claim on chain."),
        Rule("country", "The receiving investor's country is allowed", to.country in suite.allowed_countries,
             f"country code {to.country}", "This offering is not open to residents of that country."),
    ]
    room = suite.max_balance - to.identity_balance if suite.max_balance else None
    rules.append(Rule("holding_cap", "The holding stays within the maximum per investor",
                      same or room is None or (room >= 0 and amount <= room),
                      "" if room is None else f"room for {max(room, 0)} base units",
                      "Choose a smaller amount, at most the room left."))
    rules.append(_investor_cap_rule(suite, sender, to, amount, same))
    return rules


def _investor_cap_rule(suite: Suite, sender: Party | None, to: Party, amount: int, same: bool) -> Rule:
    newcomer = amount > 0 and to.identity_balance == 0 and not same
    leaves = sender is not None and amount >= sender.identity_balance
    ok, detail = True, ""
    if newcomer:
        free = 1 if leaves else 0
        if suite.investor_cap and suite.investors + 1 - free > suite.investor_cap:
            ok, detail = False, f"{suite.investors} of {suite.investor_cap} investors"
        cap = suite.country_caps.get(to.country, 0)
        seat = 1 if leaves and sender.country == to.country else 0
        if ok and cap and suite.country_investors.get(to.country, 0) + 1 - seat > cap:
            ok, detail = False, f"{suite.country_investors.get(to.country, 0)} of {cap} investors in that country"
    return Rule("investor_cap", "There is room for one more investor", ok, detail,
                "The offering has as many investors as it may have; a seat frees up when a holder sells all.")


def _amount_rule(amount: int) -> Rule:
    # ModularCompliance.transferred / created refuse a movement of nothing ("no value transfer")
    return Rule("amount", "The amount is more than zero", amount > 0, next_step="Enter an amount above zero.")


def transfer(suite: Suite, sender: Party, to: Party, amount: int) -> list[Rule]:
    """The checklist of a transfer of `amount` from `sender` to `to`, in the order the token checks."""
    free = sender.balance - sender.frozen_tokens
    rules = [_kyc_rule(sender, "Your"), _kyc_rule(to, "The recipient's"), _amount_rule(amount),
             Rule("paused", "The token is not paused", not suite.paused,
                  next_step="The issuer paused the token; transfers resume when it is unpaused."),
             Rule("frozen", "Neither wallet is frozen", not (sender.frozen or to.frozen),
                  next_step="A frozen wallet cannot move tokens; contact support."),
             Rule("balance", "The amount is within your unfrozen balance", 0 <= amount <= free,
                  f"{max(free, 0)} base units free", "Choose a smaller amount.")]
    rules += _recipient_rules(suite, sender, to, amount)
    unlocked = sender.balance - sender.locked
    rules.append(Rule("lockup", "The tokens are past their lock-up", sender.locked <= sender.balance
                      and amount <= unlocked, f"{max(unlocked, 0)} base units unlocked",
                      "Wait for the release date of your locked tokens, or send fewer."))
    return rules


def mint(suite: Suite, to: Party, amount: int) -> list[Rule]:
    """The checklist of minting `amount` to `to` (an order's tokens): no pause, frozen or lock-up check on chain."""
    left = suite.supply_cap - suite.total_supply if suite.supply_cap else None
    return [_kyc_rule(to, "Your"), _amount_rule(amount), *_recipient_rules(suite, None, to, amount),
            Rule("supply", "Enough tokens are left", left is None or (left >= 0 and amount <= left),
                 "" if left is None else f"{max(left, 0)} base units left", "Choose a smaller amount.")]


def chain_allows(rules: list[Rule]) -> bool:
    """What the token decides: every on-chain rule passes."""
    return all(r.passed for r in rules if r.on_chain)


def allowed(rules: list[Rule]) -> bool:
    return all(r.passed for r in rules)


def failing(rules: list[Rule]) -> list[Rule]:
    return [r for r in rules if not r.passed]
