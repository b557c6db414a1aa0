"""Mail bodies are templates (app/templates/emails/): the text parts read word for word as the f-strings they
replaced (tests and people find the same sentences), the HTML parts escape what users typed."""
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from app.domain.platform import notifications
from app.domain.platform.notifications import render_mail
from app.formatting import register_template_filters

EMAILS = Path(__file__).resolve().parents[2] / "app" / "templates" / "emails"
URL = "http://localhost:5000"


@pytest.fixture()
def mail_app():
    app = Flask("app")
    register_template_filters(app)
    with app.app_context():
        yield app


def _old_decision(subject, title, reason, label, extra=""):
    return f"{subject}: {title}." + (f"\n\n{label}: {reason}" if reason else "") + (f"\n\n{extra}" if extra else "")


ORDER = {"reference": "LIB-1", "offering_title": "Harbour", "tokens": 12, "ticker": "HBL", "total": 121_800,
         "deadline": datetime(2026, 12, 10, 9, 30, tzinfo=UTC), "order_url": f"{URL}/orders/65f0"}
KYC = {"onboarding_url": f"{URL}/onboarding/", "marketplace_url": f"{URL}/offerings",
       "issuer_url": f"{URL}/onboarding/issuer"}
DISTRIBUTION = {"offering_title": "Harbour", "kind": "Rental income", "total": 7_000_00, "per_token": None,
                "record_date": datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), "payment_date": datetime(2027, 1, 15,
                                                                                                       tzinfo=UTC),
                "method": "Bank transfer", "portfolio_url": f"{URL}/portfolio/"}
CASE = {"offering_title": "Harbour", "wallet": "0xAbC", "amount": 25 * 10**17, "decimals": 18, "flag": True,
        "portfolio_url": f"{URL}/portfolio/"}
AGENT = "Libertum, as the agent of the Harbour token,"
CASE_FOOT = (f"\n\nYour portfolio: {URL}/portfolio/\n\nQuestions about this? Reply to this mail: Libertum's compliance "
             "team will answer.")
REGISTERING = "Your wallet is being registered on chain; you can invest once that is done."
CASES = [
    ("order_cancelled", {"reference": "LBT-1", "offering_title": "Harbour", "reason": "duplicate <b>"},
     "Your order LBT-1 for Harbour was cancelled by Libertum: duplicate <b>\nNo payment is due for it any more."),
    ("order_payment_reminder", {"reference": "LBT-1", "offering_title": "Harbour", "amount": 103_050,
                                "deadline": "2026-12-08 10:00 UTC"},
     "Your order LBT-1 for Harbour is waiting for its payment of $1,030.50. Pay by 2026-12-08 10:00 UTC; after that "
     "the order is cancelled and its tokens are offered to other investors."),
    ("order_expired", {"reference": "LBT-1", "offering_title": "Harbour", "reason": "not paid by 2026-12-08"},
     "Your order LBT-1 for Harbour was cancelled: it was not paid by 2026-12-08. No payment is due for it any more; "
     "if you still send one, we will refund it."),
    ("offering_decision", {"decision": "Offering approved", "offering_title": "Harbour", "reason": ""},
     _old_decision("Offering approved", "Harbour", "", "Reviewer's note")),
    ("offering_decision", {"decision": "Changes requested", "offering_title": "Harbour", "reason": "Valuation."},
     _old_decision("Changes requested", "Harbour", "Valuation.", "Reviewer's note")),
    ("whitelist_decision", {"decision": "Your whitelisting is approved", "offering_title": "Harbour", "reason": "ok",
                            "registering": True},
     _old_decision("Your whitelisting is approved", "Harbour", "ok", "Reason", REGISTERING)),
    ("whitelist_decision", {"decision": "Your whitelisting is approved", "offering_title": "Harbour", "reason": "",
                            "registering": True},
     _old_decision("Your whitelisting is approved", "Harbour", "", "Reason", REGISTERING)),
    ("whitelist_decision", {"decision": "Your subscription was not approved", "offering_title": "Harbour",
                            "reason": "no", "registering": False},
     _old_decision("Your subscription was not approved", "Harbour", "no", "Reason")),
    ("transfer_decision", {"decision": "Your holdings were moved to your wallet", "security": "Harbour (HBL)",
                           "reason": "", "wallet": "0xOWN", "link": f"{URL}/onboarding/wallets/held"},
     "Your holdings were moved to your wallet: Harbour (HBL).\n\nThe tokens are now in your wallet 0xOWN.\n\n"
     f"Your held wallet and its requests: {URL}/onboarding/wallets/held"),
    ("transfer_decision", {"decision": "Your transfer request was not approved", "security": "Harbour (HBL)",
                           "reason": "Wallet <unverified>", "wallet": "", "link": f"{URL}/onboarding/wallets/held"},
     "Your transfer request was not approved: Harbour (HBL).\n\nReason: Wallet <unverified>\n\n"
     f"Your held wallet and its requests: {URL}/onboarding/wallets/held"),
    ("saved_transfer", {"decision": "An investor wants to transfer tokens to you", "security": "Harbour (HBL)",
                        "sender": "Ada Lovelace", "remark": "For <you>", "quantity": 2_500_000_000_000_000_000,
                        "decimals": 18, "link": f"{URL}/account/transfers/"},
     "An investor wants to transfer tokens to you: 2.5 tokens of Harbour (HBL), from Ada Lovelace.\n\n"
     f"Their remark: For <you>\n\nYour transfers: {URL}/account/transfers/"),
    ("transfer_review", {"decision": "A transfer request waits for your decision", "kind": "Lost wallet recovery",
                         "quantity": 2_500_000_000_000_000_000, "decimals": 18, "security": "Harbour (HBL)",
                         "investor": "Ada <b>", "link": f"{URL}/admin/transfers/65f0"},
     "A transfer request waits for your decision: Lost wallet recovery, 2.5 tokens of Harbour (HBL), asked by "
     "Ada <b>.\n\nYou are this offering's transfer agent. Review it, then approve or reject it: "
     f"{URL}/admin/transfers/65f0"),
    ("transfer_new_owner", {"decision": "An investor asked to register a holding to you", "requester": "Ada Lovelace",
                            "quantity": 3 * 10**18, "decimals": 18, "security": "Harbour (HBL)", "wallet": "0xNEW",
                            "onboarding": f"{URL}/onboarding/", "link": f"{URL}/account/transfers/"},
     "An investor asked to register a holding to you: Ada Lovelace asked to register 3 tokens of Harbour (HBL) to "
     "you, in your wallet 0xNEW.\n\nBefore the transfer agent can approve it, your identity must be verified, that "
     "wallet proven as yours by signature, and your whitelisting for this offering approved on that wallet: "
     f"{URL}/onboarding/\n\nIf you do not expect this, ignore this mail: nothing moves without those steps and the "
     "transfer agent's approval.\n\nOnce approved, the holding shows on your transfers page: "
     f"{URL}/account/transfers/"),
    ("transfer_new_owner_rejected", {"decision": "A holding will not be registered to you", "requester": "Ada <b>",
                                     "quantity": 10**18, "decimals": 18, "security": "Harbour (HBL)", "wallet": "0xNEW",
                                     "link": f"{URL}/account/transfers/"},
     "A holding will not be registered to you: the request Ada <b> made to register 1 token of Harbour (HBL) to you, "
     "in your wallet 0xNEW, was not approved by the transfer agent.\n\nNothing was transferred, and there is nothing "
     f"for you to do. The investor who asked was told why.\n\nYour transfers: {URL}/account/transfers/"),
    ("saved_transfer", {"decision": "An investor wants to transfer tokens to you", "security": "Harbour (HBL)",
                        "sender": "", "remark": "", "quantity": 10**18, "decimals": 18,
                        "link": f"{URL}/account/transfers/"},
     "An investor wants to transfer tokens to you: 1 token of Harbour (HBL).\n\n"
     f"Your transfers: {URL}/account/transfers/"),
    ("payment_flagged", {"reason": "Received $90 of $103: $13 is still due."},
     "Received $90 of $103: $13 is still due."),
    ("payment_received", {"tokens": "5 tokens", "offering_title": "Harbour", "wallet": "0xabc"},
     "We received your payment for 5 tokens of Harbour. They will be minted to your wallet 0xabc."),
    ("payment_refunded", {"order_id": "65f0", "reason": "Wrong amount.", "amount_due": "$103"},
     "Your payment for order 65f0 will be returned: Wrong amount. Please pay exactly $103."),
    ("tokens_minted", {"tokens": "5 tokens", "offering_title": "Harbour", "wallet": "0xabc", "tx_hash": "0xdef"},
     "5 tokens of Harbour were minted to your wallet 0xabc in transaction 0xdef."),
    ("tokens_received", {"tokens": "2.5 HBL tokens", "offering_title": "Harbour", "wallet": "0xabc", "sender": "0x123",
                         "tx_hash": "0xdef", "portfolio_url": f"{URL}/portfolio/"},
     f"2.5 HBL tokens of Harbour arrived in your wallet 0xabc, sent by 0x123 in transaction 0xdef.\n\nThey are in your "
     f"portfolio: {URL}/portfolio/"),
    ("issuer_approved", {"issuer_area": f"{URL}/issuer/"},
     f"Welcome aboard: your issuer application was approved. You can now create offerings in the issuer "
     f"area: {URL}/issuer/"),
    ("issuer_rejected", {"reason": "No licence."},
     "We could not approve your issuer application.\n\nReason: No licence.\n\n"
     "You can reply to this message with any questions."),
    ("signup_email_in_use", {"sign_in": f"{URL}/auth/login", "forgot": f"{URL}/auth/forgot"},
     "Someone (hopefully you) tried to create a Libertum account with this email address, which "
     f"already has one.\n\nSign in at {URL}/auth/login or, if you forgot your password, choose a "
     f"new one at {URL}/auth/forgot.\n\nIf it was not you, you can ignore this message.\n"),
    ("signup_mobile_in_use", {"sign_in": f"{URL}/auth/login", "forgot": f"{URL}/auth/forgot"},
     "Someone (hopefully you) tried to create a Libertum account with this email address, but the "
     "mobile number given is already used by another account.\n\nIf that account is yours, sign in at "
     f"{URL}/auth/login; otherwise sign up again with your own mobile number.\n"),
    ("verify_email", {"name": "Ada", "link": f"{URL}/auth/verify-email/t0k"},
     "Hello Ada,\n\nConfirm your email address by opening this link "
     f"(valid 48 hours):\n\n{URL}/auth/verify-email/t0k\n\nIf you did not sign up, ignore this message.\n"),
    ("password_link", {"name": "Ada", "reason": "Someone asked.", "validity": "30 minutes",
                       "link": f"{URL}/auth/reset/t0k"},
     "Hello Ada,\n\nSomeone asked.\n\nChoose a new password here (valid 30 minutes, usable once):\n\n"
     f"{URL}/auth/reset/t0k\n\nIf you did not ask for this, ignore this message: your password stays as it is.\n"),
    ("unlock_sign_in", {"name": "Ada", "link": f"{URL}/auth/unlock/t0k"},
     "Hello Ada,\n\nThere were many failed attempts to sign in to your account, so sign-in now needs this link "
     f"first. Open it in the browser you use (valid 1 hour):\n\n{URL}/auth/unlock/t0k\n\nYour password has not "
     "changed. If the attempts were not yours, consider changing it and turning on two-factor authentication.\n"),
    ("kyc_revoked", {"reason": "Sanctions match", "held_orders": 2},
     "Libertum has revoked the verification of your identity: Sanctions match\nUntil it is verified again you "
     "cannot place new orders. 2 paid order(s) will not be minted for now: your payment stays recorded, and our "
     "team will contact you about it.\nReply to this mail or contact support if you think this is a mistake."),
    ("kyc_revoked", {"reason": "Sanctions match", "held_orders": 0},
     "Libertum has revoked the verification of your identity: Sanctions match\nUntil it is verified again you "
     "cannot place new orders.\nReply to this mail or contact support if you think this is a mistake."),
    # re-KYC (app/domain/compliance/rekyc.py)
    ("kyc_expiring", {"until": "07 Feb 2027", "days": 60, "days_left": 60},
     "Your identity verification is valid until 07 Feb 2027 (60 days from now).\nTo keep investing, renew it before "
     "then from the Onboarding page: our verification provider checks your identity again, which takes a few "
     "minutes.\nAfter 07 Feb 2027, until it is renewed, you cannot place orders, receive newly bought tokens or "
     "transfer tokens; the tokens you hold stay yours and distributions are still paid to you."),
    ("kyc_expired", {"until": "07 Feb 2027", "held_orders": 2},
     "Your identity verification expired on 07 Feb 2027.\nUntil you renew it from the Onboarding page, you cannot "
     "place orders or transfer tokens. 2 paid order(s) will be minted once it is renewed: your payment stays "
     "recorded.\nThe tokens you hold stay yours and distributions are still paid to you."),
    ("kyc_expired", {"until": "07 Feb 2027", "held_orders": 0},
     "Your identity verification expired on 07 Feb 2027.\nUntil you renew it from the Onboarding page, you cannot "
     "place orders or transfer tokens.\nThe tokens you hold stay yours and distributions are still paid to you."),
    ("offering_assigned", {"name": "Ada", "role": "reviewer", "offering_title": "Harbour",
                           "link": f"{URL}/admin/offerings/65f0"},
     f"Hello Ada,\n\nYou are now the reviewer of the offering Harbour.\nReview it and record the decision here: "
     f"{URL}/admin/offerings/65f0\n"),
    ("offering_assigned", {"name": "Ada", "role": "transfer agent", "offering_title": "Harbour",
                           "link": f"{URL}/admin/whitelist/?offering=65f0"},
     f"Hello Ada,\n\nYou are now the transfer agent of the offering Harbour.\nIts whitelisting requests waiting "
     f"for the transfer agent's approval are here: {URL}/admin/whitelist/?offering=65f0\n"),
    # mail at every stage someone waits on (app/domain/platform/stage_mails.py)
    ("order_placed", {**ORDER, "method": "fiat", "bank": {"name": "Client Money", "bank": "Sandbox Bank",
                                                          "iban": "GB33BUKB20201555555555", "bic": "BUKBGB22"}},
     "Your order LIB-1 for 12 HBL tokens of Harbour is placed. It totals $1,218.\n\nPay by bank transfer by "
     "10 Dec 2026, 09:30 UTC:\n  Account name: Client Money\n  Bank: Sandbox Bank\n  IBAN: GB33BUKB20201555555555\n"
     "  BIC: BUKBGB22\n  Amount: $1,218\n  Reference: LIB-1 (write it exactly: it is how we match your transfer to "
     "this order)\n\nOnce the payment arrives we mint your tokens to your wallet and mail you. Unpaid orders are "
     f"cancelled after the deadline.\n\nYour order: {URL}/orders/65f0"),
    ("order_placed", {**ORDER, "method": "crypto", "crypto": {"amount": "1218.000000", "token": "0xUSD",
                                                              "to": "0xTREASURY", "wallet": "0xWALLET"}},
     "Your order LIB-1 for 12 HBL tokens of Harbour is placed. It totals $1,218.\n\nPay in stablecoin by "
     "10 Dec 2026, 09:30 UTC: send 1218.000000 of the token 0xUSD\nfrom your wallet 0xWALLET to 0xTREASURY. The "
     "order page has a \"Pay from my wallet\" button that prepares it.\n\nOnce the payment arrives we mint your "
     "tokens to your wallet and mail you. Unpaid orders are cancelled after the deadline.\n\n"
     f"Your order: {URL}/orders/65f0"),
    ("order_placed", {**ORDER, "tokens": 1, "method": "fiat", "bank": {"name": "Client Money", "bank": "Sandbox Bank",
                                                                       "iban": "GB33", "bic": "BUKBGB22"}},
     "Your order LIB-1 for 1 HBL token of Harbour is placed. It totals $1,218.\n\nPay by bank transfer by "
     "10 Dec 2026, 09:30 UTC:\n  Account name: Client Money\n  Bank: Sandbox Bank\n  IBAN: GB33\n"
     "  BIC: BUKBGB22\n  Amount: $1,218\n  Reference: LIB-1 (write it exactly: it is how we match your transfer to "
     "this order)\n\nOnce the payment arrives we mint your tokens to your wallet and mail you. Unpaid orders are "
     f"cancelled after the deadline.\n\nYour order: {URL}/orders/65f0"),
    ("order_cancelled_by_you", {"reference": "LIB-1", "offering_title": "Harbour",
                                "marketplace_url": f"{URL}/offerings"},
     "You cancelled your order LIB-1 for Harbour. No payment is due for it, and its tokens are back on sale.\nIf you "
     f"still send a payment for it, we will refund it.\n\nOther offerings: {URL}/offerings"),
    ("kyc_decision", {**KYC, "decision": "approve", "reason": "", "raise_capital": False},
     f"Your identity is verified.\nNext: connect your wallet on your onboarding page ({URL}/onboarding/), then "
     f"choose an offering and ask to be whitelisted: {URL}/offerings\n"),
    ("kyc_decision", {**KYC, "decision": "approve", "reason": "", "raise_capital": True},
     "Your identity is verified.\nNext: apply as an issuer with your company's details and its certificate of "
     f"incorporation: {URL}/onboarding/issuer\n"),
    ("kyc_decision", {**KYC, "decision": "reject", "reason": "Unreadable.", "raise_capital": False},
     "Your identity verification was not approved: Unreadable.\nYou can correct your details and submit them "
     f"again: {URL}/onboarding/\n"),
    ("kyc_decision", {**KYC, "decision": "changes", "reason": "Add the back.", "raise_capital": False},
     "Your identity verification needs changes: Add the back.\nUpdate the steps the reviewer marked and submit "
     f"again: {URL}/onboarding/\n"),
    ("offering_live", {"offering_title": "Harbour", "token": "0xTOKEN", "public_url": f"{URL}/offerings/65f0",
                       "dashboard_url": f"{URL}/issuer/offerings/65f0/dashboard"},
     "Harbour is live: its token is deployed (0xTOKEN) and the offering is listed in the marketplace.\nInvestors "
     "can now find it, ask to be whitelisted and order tokens; you approve their whitelisting as its transfer agent "
     f"if you are one.\n\nThe public page: {URL}/offerings/65f0\nYour dashboard (raise, orders, investors, cap "
     f"table): {URL}/issuer/offerings/65f0/dashboard"),
    ("nav_approved", {"offering_title": "Harbour", "nav": 120_00, "previous": 100_00, "change": "+20%",
                      "effective": datetime(2026, 11, 30, tzinfo=UTC), "valuer": "Knight <& Co>",
                      "method": "Comparable sales", "offering_url": f"{URL}/offerings/65f0",
                      "portfolio_url": f"{URL}/portfolio/"},
     "Harbour has a new NAV per token: $120 (was $100, +20%), in force from 30 Nov 2026.\nValued by Knight <& Co> "
     "(Comparable sales).\n\nYour holdings in your portfolio are now valued at this NAV, and new orders are priced at "
     f"it.\n\nThe offering and its NAV history: {URL}/offerings/65f0\nYour portfolio: {URL}/portfolio/"),
    ("nav_decision", {"offering_title": "Harbour", "decision": "rejected", "text": "Report unsigned", "nav": 99_50,
                      "effective": datetime(2026, 11, 30, tzinfo=UTC), "nav_url": f"{URL}/issuer/offerings/65f0/nav"},
     "Your NAV update for Harbour ($99.50 per token from 30 Nov 2026) was rejected.\n\nReason: Report unsigned\n\n"
     f"The offering's NAV page: {URL}/issuer/offerings/65f0/nav"),
    ("token_opened", {"offering_title": "Harbour", "portfolio_url": f"{URL}/portfolio/"},
     "Your Harbour tokens can now be transferred: the token is open after its sale.\nYour portfolio says, for each "
     "holding, how many tokens can move and, if some cannot yet, why (a lock-up until a date, frozen tokens):\n"
     f"{URL}/portfolio/"),
    ("distribution_declared", DISTRIBUTION,
     "Harbour declared a distribution (Rental income) of $7,000 in total.\nHolders at the record date, 31 Dec 2026, "
     "23:59 UTC, receive their share on 15 Jan 2027 by bank transfer, net of any withholding for their country of "
     f"residence.\n\nYour portfolio: {URL}/portfolio/"),
    ("distribution_rejected", {**DISTRIBUTION, "reason": "Rent roll <missing>"},
     "Your distribution for Harbour (Rental income) was not approved.\nThe reason: Rent roll <missing>\n\nYou can "
     "declare it again with the changes from the offering's distributions page."),
    ("distribution_paid", {"offering_title": "Harbour", "net": 75_00, "gross": 100_00, "withheld": 25_00,
                           "kind": "rental income", "wallet": "0xAbC", "tx_hash": "0x12", "bank_reference": None,
                           "portfolio_url": f"{URL}/portfolio/distributions"},
     "Harbour paid you $75 (rental income): $100 gross, $25 withheld for your country of residence.\nIt reached "
     "your wallet 0xAbC in transaction 0x12.\n\nYour distributions and yearly statement: "
     f"{URL}/portfolio/distributions"),
    ("distribution_unclaimed", {"offering_title": "Harbour <b>", "count": 2, "total": 12_50, "held": 1, "days": 90,
                                "payment_date": datetime(2027, 1, 15, tzinfo=UTC),
                                "page_url": f"{URL}/issuer/distributions/65f0/payout"},
     "2 holder lines of the Harbour <b> distribution paid on 15 Jan 2027 are still not paid 90 days later: $12.50 in "
     "all, 1 held because the holder's wallet could not receive.\nThe lines, with the reason for each, are on the "
     f"distribution's payout page: {URL}/issuer/distributions/65f0/payout"),
    # enforcement cases, once executed (app/domain/enforcement/mails.py)
    ("wallet_frozen", {**CASE, "flag": True},
     f"{AGENT} froze your wallet 0xAbC: until it is unfrozen, no Harbour tokens can be sent from it or to it. The "
     f"tokens in it stay yours.{CASE_FOOT}"),
    ("wallet_frozen", {**CASE, "flag": False},
     f"{AGENT} unfroze your wallet 0xAbC: its Harbour tokens can move again (within any lock-up).{CASE_FOOT}"),
    ("tokens_frozen", {**CASE, "flag": True, "amount": 10**18},
     f"{AGENT} froze 1 token in your wallet 0xAbC: what is frozen stays yours but cannot be transferred until it is "
     f"unfrozen.{CASE_FOOT}"),
    ("tokens_frozen", {**CASE, "flag": False},
     f"{AGENT} unfroze 2.5 tokens in your wallet 0xAbC: that amount can be transferred again (within any lock-up)."
     f"{CASE_FOOT}"),
    ("tokens_burned", CASE,
     f"{AGENT} burned 2.5 tokens held in your wallet 0xAbC: that amount no longer exists and is no longer part of "
     f"your holding.{CASE_FOOT}"),
    ("forced_transfer", {**CASE, "received": False, "other": "0xDeF"},
     f"{AGENT} transferred 2.5 tokens from your wallet 0xAbC to the wallet 0xDeF.{CASE_FOOT}"),
    ("forced_transfer", {**CASE, "received": True, "other": "0xDeF"},
     f"{AGENT} transferred 2.5 tokens to your wallet 0xAbC from the wallet 0xDeF.{CASE_FOOT}"),
    ("wallet_recovered", {**CASE, "lost": "0xLoSt"},
     f"{AGENT} recovered your holding from your lost wallet 0xLoSt: its tokens are now in your wallet 0xAbC, "
     f"registered for this token in its place. The lost wallet can no longer hold them.{CASE_FOOT}"),
    ("token_paused", {**CASE, "flag": True},
     f"{AGENT} paused its transfers: until they are resumed, no holder can send or receive Harbour tokens. The "
     f"tokens you hold stay yours.{CASE_FOOT}"),
    ("token_paused", {**CASE, "flag": False},
     f"{AGENT} resumed its transfers: you can send and receive Harbour tokens again (within any lock-up).{CASE_FOOT}"),
]


@pytest.mark.parametrize(("template", "context", "text"), CASES)
def test_the_text_part_reads_as_before_and_the_html_part_is_a_page(mail_app, template, context, text):
    plain, html = render_mail(template, **context)
    assert plain == text
    assert html.startswith("<!doctype html>") and "</html>" in html


def test_every_mail_has_both_parts_and_a_test():
    names = {p.stem for p in EMAILS.glob("*.txt")}
    assert names == {p.stem for p in EMAILS.glob("*.html")} - {"_layout"}
    assert names == {case[0] for case in CASES}


def test_what_users_typed_is_escaped_in_html_only(mail_app):
    plain, html = render_mail("order_cancelled", reference="LBT-1", offering_title="<i>x</i>", reason="<script>")
    assert "<script>" in plain and "<script>" not in html and "&lt;script&gt;" in html


def test_a_mail_goes_out_as_text_with_an_html_alternative(mail_app, monkeypatch):
    sent = []

    class Relay:  # stands in for smtplib.SMTP: records what would be sent
        def __init__(self, host, port, timeout):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr(notifications.smtplib, "SMTP", Relay)
    mail_app.config.update(MAIL_FROM="platform@libertum.test", SMTP_SERVER="127.0.0.1:2525")
    plain, html = render_mail("issuer_rejected", reason="No licence.")
    notifications._deliver_email({"_id": "m1", "to": "ada@example.com", "subject": "Your issuer application",
                                  "body": plain, "html": html})
    notifications._deliver_email({"_id": "m2", "to": "ada@example.com", "subject": "Older", "body": plain})
    with_html, text_only = sent
    assert with_html.get_content_type() == "multipart/alternative"
    assert with_html.get_body(("plain",)).get_content().rstrip("\n") == plain
    assert "<p>Reason: No licence.</p>" in with_html.get_body(("html",)).get_content()
    assert text_only.get_content_type() == "text/plain"
