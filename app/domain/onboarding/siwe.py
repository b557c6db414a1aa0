"""Sign-In with Ethereum (EIP-4361) messages: built, parsed and verified. Pure: no server needed.

The message is the exact text of the EIP's ABNF (without the optional Not Before,
Request ID and Resources lines, which the platform never sends); parsing is strict, so a
message that was edited in any field the server checks no longer verifies. The signature is
an EIP-191 personal_sign over the message text; the recovered address must equal the one
written in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError
from web3 import Web3

from app.domain import errors

STATEMENT = "Prove that you own this wallet to use it on Libertum."
_PATTERN = re.compile(
    r"^(?P<domain>[^\s/]+) wants you to sign in with your Ethereum account:\n"
    r"(?P<address>0x[0-9a-fA-F]{40})\n\n"
    r"(?P<statement>[^\n]+)\n\n"
    r"URI: (?P<uri>[^\s]+)\n"
    r"Version: (?P<version>1)\n"
    r"Chain ID: (?P<chain_id>[0-9]{1,20})\n"
    r"Nonce: (?P<nonce>[a-zA-Z0-9]{8,})\n"
    r"Issued At: (?P<issued_at>[0-9T:.\-+Z]+)\n"
    r"Expiration Time: (?P<expiration_time>[0-9T:.\-+Z]+)$")


_SIGNATURE = re.compile(r"0x[0-9a-fA-F]{130}")  # 65 bytes: r, s and v


class SiweError(errors.Refused):
    """The message or signature is not acceptable; the text is shown to the user."""


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: str
    expiration_time: str
    statement: str = STATEMENT
    version: str = "1"

    def text(self) -> str:
        return (f"{self.domain} wants you to sign in with your Ethereum account:\n{self.address}\n\n"
                f"{self.statement}\n\nURI: {self.uri}\nVersion: {self.version}\nChain ID: {self.chain_id}\n"
                f"Nonce: {self.nonce}\nIssued At: {self.issued_at}\nExpiration Time: {self.expiration_time}")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(domain: str, address: str, uri: str, chain_id: int, nonce: str, issued_at: datetime,
          expires_at: datetime) -> SiweMessage:
    if not Web3.is_address(address):
        raise SiweError("That is not an Ethereum address.")
    return SiweMessage(domain, Web3.to_checksum_address(address), uri, chain_id, nonce, rfc3339(issued_at),
                       rfc3339(expires_at))


def parse(text: str) -> SiweMessage:
    found = _PATTERN.match((text or "").replace("\r\n", "\n"))
    if not found:
        raise SiweError("The signed message is not a Sign-In with Ethereum message.")
    fields = found.groupdict()
    if fields["address"] != Web3.to_checksum_address(fields["address"]):
        raise SiweError("The address in the message is not in checksum form (EIP-55).")
    return SiweMessage(**{**fields, "chain_id": int(fields["chain_id"])})


def _parse_time(value: str) -> datetime:
    """An RFC 3339 time, which always names its offset: a time without one cannot be compared with now."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SiweError("The message's dates are malformed.") from None
    if moment.tzinfo is None:
        raise SiweError("The message's dates are malformed: they must name their time zone (RFC 3339).")
    return moment


def verify(text: str, signature: str, *, domain: str, uri: str, chain_id: int, now: datetime) -> SiweMessage:
    """The parsed message if it is for us, unexpired and signed by its address; SiweError otherwise.

    The nonce is checked by the caller against its single-use store.
    """
    message = parse(text)
    if (message.domain, message.uri, message.chain_id) != (domain, uri, chain_id):
        raise SiweError("The message was made for another site or chain.")
    if _parse_time(message.expiration_time) <= now:
        raise SiweError("The message has expired; connect the wallet again.")
    if not isinstance(signature, str) or not _SIGNATURE.fullmatch(signature):
        raise SiweError("The signature could not be read.")
    try:
        signer = Account.recover_message(encode_defunct(text=message.text()), signature=signature)
    except (ValueError, ValidationError, TypeError, BadSignature):
        raise SiweError("The signature could not be read.") from None
    if signer != message.address:
        raise SiweError("The signature was not made by this wallet.")
    return message
