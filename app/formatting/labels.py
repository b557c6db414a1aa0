"""Human labels for the platform's internal values: one table per status vocabulary, document types,
yes/no. Pages and flash messages show these, never the stored words ("payment_review").

An unknown value (a status added later, a bad document) is still shown readably ("Some new state")
rather than raw or as an error, and tests/unit check every declared status has a label.
"""

from __future__ import annotations

ORDER = {
    "pending_payment": "Awaiting payment",
    "payment_review": "Payment being checked",
    "settled": "Paid, minting",
    "minted": "Minted",
    "cancelled": "Cancelled",
    "mint_held": "Paid, delivery delayed",  # not stored: the portfolio's word for a settled order the token refused
}
KYC = {  # the investor's own verification page shows these too
    "notStarted": "Not started",
    "inProgress": "In progress",
    "submitted": "Submitted",
    "pending": "Being checked",
    "changesRequested": "Changes requested",
    "approved": "Approved",
    "rejected": "Rejected",
    "revoked": "Revoked",
    "expired": "Expired",
}
SUMSUB = {
    "init": "Started", "pending": "Being reviewed", "prechecked": "Pre-checked", "queued": "Queued for review",
    "completed": "Review completed", "onHold": "On hold",
}
ISSUER = {"pending": "Application being reviewed", "approved": "Approved issuer", "rejected": "Application rejected"}
WHITELIST = {
    "pending_signature": "Waiting for the investor's signature",
    "signed": "Signed, being reviewed",
    "approved": "Approved",
    "rejected": "Rejected",
    "declined": "Signature declined",
    "expired": "Signature request expired",
    "removed": "Removed from the register",
}
TRANSFER_AGENT = {"pending": "Waiting for the transfer agent", "approved": "Approved by the transfer agent",
                  "rejected": "Rejected by the transfer agent"}
OFFERING = {
    "draft": "Draft",
    "submitted": "Submitted for review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "rejected": "Rejected",
    "deploying": "Deploying the token",
    "deploy_failed": "Deployment failed",
    "live": "Live",
    "closed": "Closed",
}
CHAIN_JOB = {"pending": "Queued", "sent": "Sent, waiting for the chain", "done": "Done", "failed": "Failed"}
PAYMENT_FLAG = {"underpaid": "Underpaid", "overpaid": "Overpaid",
                "reorged": "Payment undone by a chain reorganisation"}
LISTING = {"open": "Open for investment", "upcoming": "Opening soon", "closed": "Closed"}
BANK_ENTRY = {  # what became of a bank statement's line (app/data/bank_entries.py)
    "new": "Not yet matched", "settled": "Paid an order", "flagged": "Paid an order, amount differs",
    "assigned": "Assigned to an order", "unmatched": "No order matches", "other_currency": "Another currency",
    "order_closed": "Order already closed", "debit": "Money out (ignored)", "refund_due": "To be refunded",
    "ignored": "Ignored",
}
USER_TYPE = {"investor": "Investor", "issuer": "Issuer", "admin": "Administrator", "subadmin": "Staff member"}

KINDS = {
    "order": ORDER, "kyc": KYC, "sumsub": SUMSUB, "issuer": ISSUER, "whitelist": WHITELIST,
    "ta": TRANSFER_AGENT, "offering": OFFERING, "chain_job": CHAIN_JOB, "listing": LISTING,
    "payment_flag": PAYMENT_FLAG, "bank_entry": BANK_ENTRY, "user_type": USER_TYPE,
}

DOCUMENT_TYPES = {
    "passport": "Passport", "PASSPORT": "Passport",
    "idCard": "National identity card", "ID_CARD": "National identity card",
    "driversLicense": "Driving licence", "DRIVERS": "Driving licence",
    "residencePermit": "Residence permit", "RESIDENCE_PERMIT": "Residence permit",
    "SELFIE": "Selfie", "UTILITY_BILL": "Utility bill", "proofOfAddress": "Proof of address",
    "COMPANY_DOC": "Company document",
}


def readable(value: object) -> str:
    """A stored word made readable when no table knows it: "payment_review"/"paymentReview" -> "Payment review"."""
    text = str(value or "")
    spaced = "".join(" " + ch.lower() if ch.isupper() and i else ch for i, ch in enumerate(text))
    spaced = spaced.replace("_", " ").replace("-", " ").strip()
    return " ".join(spaced.split()).capitalize()


_ACRONYMS = {"kyc": "KYC", "kyb": "KYB", "2fa": "2FA", "totp": "TOTP", "sms": "SMS", "csv": "CSV", "nav": "NAV"}


def event_label(value: object) -> str:
    """An audit event name for people: "kyc.approved" -> "KYC approved", "login.failed" -> "Login failed"."""
    words = readable(str(value or "").replace(".", " ")).split()
    return " ".join(_ACRONYMS.get(word.lower(), word) for word in words)


def status_label(value: object, kind: str) -> str:
    """The label of `value` in the `kind` vocabulary ("order", "kyc", "whitelist", "ta", "offering",
    "chain_job", "issuer", "sumsub", "listing"): status_label("payment_review", "order") -> "Payment being checked"."""
    if value in (None, ""):
        return ""
    return KINDS.get(kind, {}).get(value) or readable(value)


def document_type(value: object) -> str:
    """"driversLicense" -> "Driving licence" (the KYC form's own words)."""
    if value in (None, ""):
        return ""
    return DOCUMENT_TYPES.get(value) or readable(value)


def yes_no(value: object) -> str:
    """True -> "Yes", False -> "No"; None (never answered) -> "Not given"."""
    if value is None:
        return "Not given"
    return "Yes" if value else "No"


def or_not_given(value: object, text: str = "Not given") -> object:
    """A value, or "Not given" for None and empty text, so a page never prints "None"."""
    return text if value is None or value == "" or value == [] else value
