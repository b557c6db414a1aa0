"""Gathers the checklist's facts (app.domain.compliance.checklist): the token's and its modules' state read from
the chain, each wallet's standing (registry, freeze, balances, lock-up, identity holdings), and the platform's
KYC of the wallet's owner. Reads only: nothing here sends a transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from web3 import Web3

from app.chain.artifacts import contract
from app.chain.compliance import MODULES
from app.chain.constants import ZERO_ADDRESS
from app.data import user_details, users
from app.data.mongo import get_db
from app.domain.compliance import checklist
from app.domain.compliance import kyc_validity as validity
from app.domain.onboarding import kyc_rules


class Reader:
    """Chain reads for one token (its registry, compliance and the platform's modules)."""

    def __init__(self, w3: Web3, platform: dict, token: str):
        self.w3 = w3
        self.token = contract(w3, "Token", token)
        self.registry = contract(w3, "IdentityRegistry", self.token.functions.identityRegistry().call())
        self.compliance = self.token.functions.compliance().call()
        self.modules = {key: contract(w3, name, platform[key]).functions for key, name in MODULES.items()}

    def suite(self, countries: set[int]) -> checklist.Suite:
        """The suite's settings and counters (per country for `countries`)."""
        c, m = self.compliance, self.modules
        allowed = frozenset(x for x in countries if m["countryAllowModule"].isCountryAllowed(c, x).call())
        cap = m["investorCapModule"]
        t = self.token.functions
        return checklist.Suite(
            paused=t.paused().call(), total_supply=t.totalSupply().call(),
            supply_cap=m["supplyLimitModule"].supplyCap(c).call(),
            max_balance=m["maxBalanceModule"].maxBalance(c).call(),
            allowed_countries=allowed, investor_cap=cap.investorCap(c).call(), investors=cap.investorCount(c).call(),
            country_caps={x: cap.countryInvestorCap(c, x).call() for x in countries},
            country_investors={x: cap.countryInvestorCount(c, x).call() for x in countries})

    def party(self, wallet: str, kyc: tuple[bool | None, str] = (None, "")) -> checklist.Party:
        wallet = Web3.to_checksum_address(wallet)
        t, r, c = self.token.functions, self.registry.functions, self.compliance
        identity = r.identity(wallet).call()
        ledger = self.modules["maxBalanceModule"]
        holder = ledger.identityOf(c, wallet).call()
        return checklist.Party(
            wallet=wallet, identity=None if identity == ZERO_ADDRESS else identity,
            verified=r.isVerified(wallet).call(), country=r.investorCountry(wallet).call(),
            frozen=t.isFrozen(wallet).call(), balance=t.balanceOf(wallet).call(),
            frozen_tokens=t.getFrozenTokens(wallet).call(),
            locked=self.modules["lockupModule"].lockedBalance(c, wallet).call(),
            holder=holder, identity_balance=ledger.identityBalance(c, holder).call(),
            kyc_valid=kyc[0], kyc_reason=kyc[1])


def kyc_standing(config: dict, wallet: str, now: datetime | None = None) -> tuple[bool | None, str]:
    """(valid, reason) of the platform KYC of the wallet's owner; (None, "") for a wallet no user proved."""
    db = get_db(config)
    owner = user_details.wallet_owner(db, wallet)
    user = users.by_id(db, owner) if owner else None
    return user_kyc(config, user, now) if user else (None, "")


def user_kyc(config: dict, user: dict, now: datetime | None = None) -> tuple[bool, str]:
    """Whether the user's KYC is current (approved and within its validity), and why not."""
    if user.get("kycStatus") != kyc_rules.APPROVED or not user.get("isKyc"):
        return False, user.get("kycReason") or "Your identity is not verified."
    approved = validity.approved_at(user)
    if approved and now is not None:
        details = user_details.get(get_db(config), user["_id"]) or {}
        document = validity.parse_day((details.get("mainInformation") or {}).get("documentExpiration"))
        until = validity.valid_until(approved, config["KYC_VALIDITY_MONTHS"], document)
        if now >= until:
            return False, f"Your identity verification expired on {until:%d %b %Y}."
    return True, ""


def transfer_checklist(config: dict, w3: Web3, platform: dict, token: str, sender: str, recipient: str,
                       amount: int) -> list[checklist.Rule]:
    """The checklist of a transfer, every fact read now."""
    reader, now = Reader(w3, platform, token), datetime.now(UTC)
    frm = reader.party(sender, kyc_standing(config, sender, now))
    to = reader.party(recipient, kyc_standing(config, recipient, now))
    return checklist.transfer(reader.suite({frm.country, to.country}), frm, to, amount)
