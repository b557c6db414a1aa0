"""KYC provider adapter in Sumsub's API shape: applicants, web SDK access tokens, status, webhooks.

Why this shape: switching from the local sandbox to Sumsub is then only configuration
(KYC_API_URL and the three keys). What Sumsub specifies and this module follows:
- every API request carries X-App-Token, X-App-Access-Ts (unix seconds) and X-App-Access-Sig,
  the hex HMAC-SHA256 with the app secret over ts + METHOD + path-with-query + raw body;
- webhooks carry the hex HMAC of the raw body in X-Payload-Digest, the algorithm named in
  X-Payload-Digest-Alg (HMAC_SHA1_HEX, HMAC_SHA256_HEX or HMAC_SHA512_HEX), keyed with the
  webhook secret.
Signing and verification are pure functions so the sandbox and the tests share them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

import requests

DIGEST_ALGORITHMS = {"HMAC_SHA1_HEX": hashlib.sha1, "HMAC_SHA256_HEX": hashlib.sha256,
                     "HMAC_SHA512_HEX": hashlib.sha512}
DEFAULT_DIGEST_ALG = "HMAC_SHA256_HEX"
TIMEOUT_S = 10


class KycProviderError(RuntimeError):
    """The provider refused a request or could not be reached; `status` is its HTTP status (0: unreachable)."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


def request_signature(secret: str, ts: int | str, method: str, path_with_query: str, body: bytes = b"") -> str:
    """X-App-Access-Sig: hex HMAC-SHA256 over ts + METHOD + path?query + body."""
    message = f"{ts}{method.upper()}{path_with_query}".encode() + (body or b"")
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_request(secret: str, app_token: str, headers, method: str, path_with_query: str, body: bytes,
                   *, now: float | None = None, max_skew_s: int = 300) -> bool:
    """Whether a request carries our app token and a valid, fresh signature (used by the sandbox)."""
    ts = str(headers.get("X-App-Access-Ts", ""))
    token = str(headers.get("X-App-Token", "")).encode()
    if not (ts.isascii() and ts.isdigit()) or not hmac.compare_digest(token, app_token.encode()):
        return False
    if abs((time.time() if now is None else now) - int(ts)) > max_skew_s:
        return False
    expected = request_signature(secret, ts, method, path_with_query, body)
    return hmac.compare_digest(expected.encode(), str(headers.get("X-App-Access-Sig", "")).encode())


def payload_digest(secret: str, raw_body: bytes, alg: str = DEFAULT_DIGEST_ALG) -> str:
    """X-Payload-Digest of a webhook body under `alg`."""
    return hmac.new(secret.encode(), raw_body, DIGEST_ALGORITHMS[alg]).hexdigest()


def verify_webhook(secret: str, raw_body: bytes, digest: str | None, alg: str | None) -> bool:
    """Whether the webhook's digest matches its raw body; unknown algorithms are refused."""
    if not digest or alg not in DIGEST_ALGORITHMS:
        return False
    # bytes on both sides: compare_digest raises TypeError for a str holding non-ASCII characters
    return hmac.compare_digest(payload_digest(secret, raw_body, alg).encode(), digest.strip().lower().encode())


def signed_webhook(secret: str, payload: dict, alg: str = DEFAULT_DIGEST_ALG) -> tuple[bytes, dict[str, str]]:
    """A webhook body and the headers Sumsub sends with it (the sandbox and tests send these)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "X-Payload-Digest": payload_digest(secret, body, alg),
               "X-Payload-Digest-Alg": alg}
    return body, headers


@dataclass(frozen=True)
class SumsubClient:
    """Sumsub API client; `base_url` is https://api.sumsub.com or the sandbox's address."""

    base_url: str
    app_token: str
    secret_key: str
    session: requests.Session | None = None

    @classmethod
    def from_config(cls, config: dict) -> SumsubClient:
        return cls(config["KYC_API_URL"].rstrip("/"), config["KYC_APP_TOKEN"], config["KYC_SECRET_KEY"])

    def _call(self, method: str, path: str, query: dict | None = None, payload: dict | None = None) -> dict:
        path_with_query = path + (f"?{urlencode(query)}" if query else "")
        prefix = urlsplit(self.base_url).path.rstrip("/")
        body = json.dumps(payload).encode() if payload is not None else b""
        ts = int(time.time())
        headers = {"X-App-Token": self.app_token, "X-App-Access-Ts": str(ts), "Accept": "application/json",
                   "X-App-Access-Sig": request_signature(self.secret_key, ts, method, prefix + path_with_query,
                                                         body)}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        http = self.session or requests
        try:
            response = http.request(method, self.base_url + path_with_query, data=body or None, headers=headers,
                                    timeout=TIMEOUT_S)
        except requests.RequestException as error:
            raise KycProviderError(f"KYC provider unreachable: {error}") from None
        if response.status_code >= 400:
            raise KycProviderError(f"KYC provider answered {response.status_code}: {response.text[:300]}",
                                   response.status_code)
        return response.json() if response.content else {}

    def create_applicant(self, external_user_id: str, level_name: str, *, email: str | None = None) -> dict:
        """Create the applicant, or return the existing one for this externalUserId (Sumsub answers 409)."""
        payload = {"externalUserId": external_user_id, **({"email": email} if email else {})}
        try:
            return self._call("POST", "/resources/applicants", {"levelName": level_name}, payload)
        except KycProviderError as error:
            if error.status != 409:
                raise
        return self.applicant_by_external_id(external_user_id)

    def applicant_by_external_id(self, external_user_id: str) -> dict:
        return self._call("GET", f"/resources/applicants/-;externalUserId={quote(external_user_id, safe='')}/one")

    def access_token(self, external_user_id: str, level_name: str, ttl_s: int = 600) -> dict:
        """Web SDK access token for the applicant: {"token": ..., "userId": ...}."""
        return self._call("POST", "/resources/accessTokens",
                          {"userId": external_user_id, "levelName": level_name, "ttlInSecs": ttl_s})

    def applicant_status(self, applicant_id: str) -> dict:
        """{"reviewStatus": ..., "reviewResult": {...}, "createDate": ..., ...}"""
        return self._call("GET", f"/resources/applicants/{quote(applicant_id, safe='')}/status")

    def request_check(self, applicant_id: str) -> dict:
        """Ask the provider to review the applicant (Sumsub: status/pending); answers {"ok": 1}."""
        return self._call("POST", f"/resources/applicants/{quote(applicant_id, safe='')}/status/pending")
