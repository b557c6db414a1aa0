"""E-signature adapter in DocuSign eSignature REST v2.1's shape: envelopes from a template, embedded
signing, and Connect webhooks signed with HMAC.

Why this shape: switching from the local sandbox to DocuSign is then only configuration
(ESIGN_API_URL, ESIGN_ACCOUNT_ID, ESIGN_ACCESS_TOKEN, ESIGN_TEMPLATE_ID, ESIGN_HMAC_KEYS). What
DocuSign specifies and this module follows:
- API calls carry `Authorization: Bearer <token>`; an envelope is created with
  POST {base}/restapi/v2.1/accounts/{accountId}/envelopes {templateId, templateRoles, status: "sent"},
  a role with a clientUserId makes its recipient an embedded signer, whose signing URL comes from
  POST .../envelopes/{envelopeId}/views/recipient {returnUrl, authenticationMethod, email, userName,
  clientUserId} -> {url};
- Connect signs each delivery with every HMAC key of the account: base64(HMAC-SHA256(key, raw body))
  in X-DocuSign-Signature-1, -2, ... A delivery is genuine when any configured key matches any of
  these headers, which is what lets keys rotate without a gap.
Signing and verification are pure functions so the sandbox and the tests share them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

import requests

TIMEOUT_S = 10
SIGNATURE_HEADER = "X-DocuSign-Signature-"
MAX_SIGNATURE_HEADERS = 10  # DocuSign allows up to 10 Connect HMAC keys per account


class EsignProviderError(RuntimeError):
    """The provider refused a request or could not be reached; `status` is its HTTP status (0: unreachable)."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


def connect_signature(key: str, raw_body: bytes) -> str:
    """The value DocuSign puts in X-DocuSign-Signature-N for a key: base64 of HMAC-SHA256 over the raw body."""
    return base64.b64encode(hmac.new(key.encode(), raw_body, hashlib.sha256).digest()).decode()


def signature_headers(headers: Mapping) -> list[str]:
    """Every X-DocuSign-Signature-N value present (N from 1 up)."""
    found = (headers.get(f"{SIGNATURE_HEADER}{n}") for n in range(1, MAX_SIGNATURE_HEADERS + 1))
    return [value.strip() for value in found if value]


def verify_connect(keys: Iterable[str], raw_body: bytes, headers: Mapping) -> bool:
    """Whether any configured key produced any of the delivery's signatures (constant-time compares)."""
    signatures = signature_headers(headers)
    matched = False
    for key in keys:
        expected = connect_signature(key, raw_body).encode()
        for signature in signatures:
            # no early exit: every pair is compared, so timing says nothing about which key matched
            matched |= hmac.compare_digest(expected, signature.encode())
    return matched


def signed_delivery(keys: Iterable[str], payload: dict) -> tuple[bytes, dict[str, str]]:
    """A Connect delivery's body and headers, one signature header per key (the sandbox and tests send these)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    for n, key in enumerate(keys, start=1):
        headers[f"{SIGNATURE_HEADER}{n}"] = connect_signature(key, body)
    return body, headers


def bearer_token(headers: Mapping) -> str:
    """The token of an `Authorization: Bearer ...` header ("" when absent)."""
    scheme, _, token = str(headers.get("Authorization", "")).partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@dataclass(frozen=True)
class Signer:
    """The investor as the template's signing role; `client_user_id` makes the signing embedded."""

    email: str
    name: str
    client_user_id: str
    role_name: str = "Investor"


@dataclass(frozen=True)
class DocuSignClient:
    """eSignature REST v2.1 client; `base_url` is https://demo.docusign.net (or the sandbox's address)."""

    base_url: str
    account_id: str
    access_token: str
    session: requests.Session | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> DocuSignClient:
        return cls(config["ESIGN_API_URL"].rstrip("/"), config["ESIGN_ACCOUNT_ID"], config["ESIGN_ACCESS_TOKEN"])

    def _call(self, path: str, payload: dict) -> dict:
        url = f"{self.base_url}/restapi/v2.1/accounts/{quote(self.account_id, safe='')}{path}"
        headers = {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}
        try:
            response = (self.session or requests).post(url, json=payload, headers=headers, timeout=TIMEOUT_S)
        except requests.RequestException as error:
            raise EsignProviderError(f"e-signature provider unreachable: {error}") from None
        if response.status_code >= 400:
            raise EsignProviderError(f"e-signature provider answered {response.status_code}: {response.text[:300]}",
                                     response.status_code)
        return response.json() if response.content else {}

    def create_envelope(self, template_id: str, signer: Signer, *, email_subject: str = "",
                        custom_fields: dict[str, str] | None = None) -> dict:
        """Send the template to the signer: {"envelopeId", "status": "sent", "statusDateTime", "uri"}."""
        payload = {"templateId": template_id, "status": "sent",
                   "templateRoles": [{"email": signer.email, "name": signer.name, "roleName": signer.role_name,
                                      "clientUserId": signer.client_user_id}]}
        if email_subject:
            payload["emailSubject"] = email_subject
        if custom_fields:
            payload["customFields"] = {"textCustomFields": [{"name": k, "value": v, "show": "false"}
                                                            for k, v in custom_fields.items()]}
        return self._call("/envelopes", payload)

    def signing_url(self, envelope_id: str, signer: Signer, return_url: str) -> str:
        """A short-lived URL where the signer signs inside our flow, then comes back to `return_url`."""
        answer = self._call(f"/envelopes/{quote(envelope_id, safe='')}/views/recipient",
                            {"returnUrl": return_url, "authenticationMethod": "none", "email": signer.email,
                             "userName": signer.name, "clientUserId": signer.client_user_id})
        url = answer.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise EsignProviderError("e-signature provider returned no signing URL")
        return url
