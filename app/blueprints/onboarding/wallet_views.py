"""Wallets: proof of a browser wallet (EIP-4361), or a wallet Libertum holds for an investor who has none.

The domain and URI in the message are this site's public address from configuration (`PUBLIC_URL`),
never from the request: a `Host` header is the client's to choose, and a message issued for
"evil.example" and signed there would link the victim's wallet to whoever collected it. The server
checks the signed message against the same values, so a message made for another site is refused.

A held wallet (app.domain.custody) is created on request after KYC; its page offers the one
movement out there is today, "move my holdings to my own wallet", confirmed with the second factor
(app.domain.transfers.custody_exit). No page ever receives the held wallet's key.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, jsonify, render_template, request
from flask_login import current_user

from app.access import access, current_user_doc
from app.auth import client_ip
from app.blueprints.htmx import redirect_to
from app.domain.accounts.permissions import SIGNED_IN
from app.domain.custody import rules as custody_rules
from app.domain.custody import service as custody
from app.domain.onboarding import siwe, wallets
from app.domain.platform import audit
from app.domain.transfers import custody_exit
from app.domain.transfers import rules as transfer_rules

MAX_MESSAGE_CHARS = 2000


def _site() -> tuple[str, str]:
    """(domain, URI) of this site for EIP-4361: host[:port] and origin of PUBLIC_URL."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    return public.netloc, f"{public.scheme}://{public.netloc}"


def message_for_wallet():
    """A fresh sign-in message for the address the wallet reported."""
    domain, uri = _site()
    try:
        text = wallets.message_for(current_user.doc, request.form.get("address", ""), domain=domain, uri=uri)
    except siwe.SiweError as error:
        return jsonify(error=str(error)), 400
    return jsonify(message=text)


def prove_wallet():
    """Check the signed message; on success the wallet is stored with isVerify."""
    domain, uri = _site()
    try:
        address = wallets.prove_wallet(current_user.doc, request.form.get("message", "")[:MAX_MESSAGE_CHARS],
                                       request.form.get("signature", ""), domain=domain, uri=uri)
    except siwe.SiweError as error:
        return jsonify(error=str(error)), 400
    audit.record("wallet.verified", actor=current_user.doc, details={"address": address})
    return jsonify(address=address, message=f"Wallet {address} is verified.")


def held_wallet() -> dict | None:
    """Template global: the signed-in person's platform-held wallet (address only), or None."""
    user = current_user_doc()
    return custody.held_wallet(current_app.config, user["_id"]) if user else None


def create_held_wallet():
    """Create (once) the wallet Libertum holds for this investor; its identity follows as for a proven wallet."""
    custody.create_held_wallet(current_app.config, current_user_doc(), client_ip())
    flash("Libertum now holds a wallet for you. Its on-chain identity is being created; your tokens will be "
          "delivered to it.", "success")
    return redirect_to("onboarding.show_held_wallet")


def _held_page(typed: dict | None = None, refusal: custody_exit.TransferRefused | None = None, status: int = 200):
    user = current_user_doc()
    state = custody_exit.movable(current_app.config, user["_id"])
    entry = next((w for w in custody.wallet_entries(current_app.config, user["_id"]) if custody_rules.is_held(w)), {})
    return render_template("onboarding/held_wallet.html", user=user, state=state, entry=entry, typed=typed or {},
                           refusal=refusal, labels=transfer_rules.STATUS_LABELS), status


def show_held_wallet():
    """The held wallet: its address and identity, holdings to move, and the move requests made."""
    return _held_page()


def request_move():
    """Ask to move every holding of the held wallet to one of the investor's own wallets (second factor)."""
    typed = {"wallet": request.form.get("wallet", "")[:64]}
    try:
        made = custody_exit.request_move(current_app.config, current_user_doc(), typed["wallet"],
                                         request.form.get("code", "")[:64], client_ip())
    except custody_exit.TransferRefused as refusal:
        return _held_page(typed, refusal, 422)
    flash(f"{len(made)} transfer request(s) sent. Libertum's staff review them; the tokens move once approved.",
          "success")
    return redirect_to("onboarding.show_held_wallet")


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/wallets/message", "message_for_wallet", access(SIGNED_IN)(message_for_wallet),
                    methods=["POST"])  # issues a single-use nonce: a state change, so POST
    bp.add_url_rule("/wallets", "prove_wallet", access(SIGNED_IN)(prove_wallet), methods=["POST"])
    bp.add_url_rule("/wallets/held", "show_held_wallet", access(SIGNED_IN)(show_held_wallet))
    bp.add_url_rule("/wallets/held", "create_held_wallet", access(SIGNED_IN)(create_held_wallet), methods=["POST"])
    bp.add_url_rule("/wallets/held/move", "request_move", access(SIGNED_IN)(request_move), methods=["POST"])
    bp.add_app_template_global(held_wallet, "held_wallet")
