"""The demo's people: an admin, an issuer (approved through the issuer application) and two investors whose
KYC the provider (the sandbox) approved and whose wallets are proven with keys derived from the local secret."""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass

import requests
from eth_account import Account
from eth_account.messages import encode_defunct
from werkzeug.datastructures import FileStorage

from app.data import user_details, users
from app.data.mongo import get_db
from app.demo import images
from app.demo.waiting import wait_for
from app.domain.accounts import service as accounts
from app.domain.accounts.permissions import ADMIN, INVESTOR, PERMISSIONS
from app.domain.onboarding import issuer_applications, kyc_rules
from app.domain.onboarding import service as onboarding
from app.domain.onboarding import wallets as wallet_proof

DOMAIN = "libertum.example"  # a domain email_validator accepts, as sign-in does (".test" is refused)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    mobile: str  # UK numbers reserved for drama (Ofcom 07700 900xxx): never someone's phone
    user_type: str = INVESTOR


ADMIN_PERSON = Person(f"demo-admin@{DOMAIN}", "Alex Morgan", "7700900101", ADMIN)
ISSUER_PERSON = Person(f"demo-issuer@{DOMAIN}", "Isla Harbour", "7700900102")  # becomes an issuer by applying
INVESTORS = (Person(f"demo-investor@{DOMAIN}", "Ines Carter", "7700900103"),
             Person(f"demo-investor2@{DOMAIN}", "Oscar Reed", "7700900104"))
EVERYONE = (ADMIN_PERSON, ISSUER_PERSON, *INVESTORS)

PERSONAL = {"dob": "1986-04-12", "birthPlace": "Bristol", "nationality": "GB", "nationalIdNumber": "QQ123456C",
            "identificationDocument": "passport", "documentExpiration": "2034-06-30", "occupation": "Architect"}
ADDRESS = {"address": "12 Harbour Row", "city": "Bristol", "zipCode": "BS1 5TY", "country": "GB"}
COMPANY = {"name": "Harbour Estates Ltd", "entityType": "company", "webSite": "https://harbour-estates.example",
           "business": "Residential and mixed-use property", "sourceOfFunds": "Rental income and retained earnings"}


def wallet_of(config, email: str) -> Account:
    """The demo investor's wallet key, derived from SECRET_KEY: the same on every run, never stored or committed."""
    secret = hmac.new(config["SECRET_KEY"].encode(), f"libertum-demo-wallet:{email}".encode(), hashlib.sha256)
    return Account.from_key(secret.digest())


def ensure_account(person: Person, password: str) -> dict:
    """The person's account with a confirmed email (confirmed through the mailed-link token, as people do)."""
    db = get_db()
    user = users.by_email(db, person.email)
    if user is None:
        permissions = sorted(PERMISSIONS) if person.user_type == ADMIN else []
        user = accounts.create_account({"email": person.email, "country_code": "+44", "mobile": person.mobile,
                                        "legal_name": person.name, "password": password,
                                        "user_type": person.user_type, "permissions": permissions},
                                       ip="demo", event="role.created" if person.user_type == ADMIN else "signup")
    if not user.get("isEmailVerify"):
        user = accounts.verify_email(accounts.issue_token(user, accounts.VERIFY_EMAIL), ip="demo")
    return users.by_id(db, user["_id"])


def _file(name: str, content: bytes, mime: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name, content_type=mime)


def _scan() -> bytes:
    return images.building((120, 130, 150), (200, 200, 205), 2, 1)  # a stand-in for a document scan


def pass_kyc(user: dict, config) -> dict:
    """Fill the individual wizard, submit it, and approve it at the KYC provider (the sandbox's reviewer), whose
    webhook the platform applies, as in production. (An admin's decision here would be overtaken by the
    provider's later "applicant created" event, which sets the status back to pending.)"""
    if user.get("isKyc"):
        return user
    details = onboarding.details_of(user)
    if user.get("kycStatus") not in (kyc_rules.SUBMITTED, kyc_rules.PENDING):
        if not onboarding.account_type(details):
            onboarding.choose_type(user, "individual")
        for key, form, files in (("personal", PERSONAL, {}), ("address", ADDRESS, {}),
                                 ("documents", {}, {"frontId": _file("passport-front.png", _scan(), "image/png"),
                                                    "backId": _file("passport-back.png", _scan(), "image/png")})):
            result = onboarding.save_step(user, key, form, files)
            if not result.ok:
                raise RuntimeError(f"demo KYC step {key} refused: {result.errors}")
        onboarding.submit(user)
    db = get_db()
    applicant = wait_for(f"the KYC provider's applicant for {user['email']} (the kyc job)",
                         lambda: (users.by_id(db, user["_id"]) or {}).get("kycApplicationId"))
    answer = requests.post(f"{config['KYC_API_URL'].rstrip('/')}/applicants/{applicant}/review",
                           data={"reviewAnswer": "GREEN"}, allow_redirects=False, timeout=10)
    if answer.status_code >= 400:
        raise RuntimeError(f"the KYC sandbox refused the review of {user['email']}: HTTP {answer.status_code}")
    return wait_for(f"the KYC approval of {user['email']} (the provider's webhook, then the kyc job)",
                    lambda: _approved(db, user["_id"]))


def _approved(db, user_id) -> dict | None:
    user = users.by_id(db, user_id)
    return user if user.get("isKyc") and user.get("kycStatus") == kyc_rules.APPROVED else None


def prove_wallet(user: dict, config) -> str:
    """Sign the platform's EIP-4361 message with the derived key, as a browser wallet would."""
    account = wallet_of(config, user["email"])
    if account.address in user_details.verified_wallets(get_db(), user["_id"]):
        return account.address
    public = config["PUBLIC_URL"].split("://", 1)
    domain, uri = public[1].split("/", 1)[0], f"{public[0]}://{public[1].split('/', 1)[0]}"
    message = wallet_proof.message_for(user, account.address, domain=domain, uri=uri)
    signature = account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()
    return wallet_proof.prove_wallet(user, message, signature, domain=domain, uri=uri)


def become_issuer(user: dict, admin: dict) -> dict:
    """The issuer application (company data and its certificate), approved by the admin."""
    if user.get("isIssuer"):
        return user
    if user.get("issuerStatus") != issuer_applications.PENDING:
        refused = issuer_applications.apply(user, COMPANY, _file("certificate.png", _scan(), "image/png"))
        if refused:
            raise RuntimeError(f"demo issuer application refused: {refused}")
    return issuer_applications.decide(admin, str(user["_id"]), True, "")


def kyc_approved_with_wallet(person: Person, password: str, config) -> dict:
    user = ensure_account(person, password)
    prove_wallet(user, config)
    return pass_kyc(users.by_id(get_db(), user["_id"]), config)
