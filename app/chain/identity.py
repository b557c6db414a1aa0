"""Investor ONCHAINID identities and the platform's KYC claims on them.

Why these choices:
- Identities are created with IdFactory.createIdentityWithManagementKeys and the platform
  deployer as the only management key. ERC-734 lets only a management (or claim) key of
  the identity add or remove claims, so this lets the platform add a KYC claim after review
  and remove it when KYC lapses, without the investor being online. The investor's wallet
  is linked to the identity by the factory (IdFactory.getIdentity(wallet)) but holds no key;
  wallet recovery adds the new wallet as a management key first (Token.recoveryAddress
  requires it).
- The IdFactory salt is the wallet address, so each wallet maps to one identity and a
  retried creation finds the existing one instead of failing on "salt already taken".
- A claim is valid when the platform ClaimIssuer holds the signer's key with purpose CLAIM
  and the signature covers keccak256(abi.encode(identity, topic, data)) as a personal
  (EIP-191) message: that is what ClaimIssuer.isClaimValid recomputes.
"""

from __future__ import annotations

from eth_abi import encode
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3
from web3.types import TxReceipt

from app.chain.artifacts import contract
from app.chain.constants import ECDSA_CLAIM_SCHEME, ECDSA_KEY_TYPE, KYC_CLAIM_TOPIC, MANAGEMENT_KEY, ZERO_ADDRESS
from app.chain.tx import function_call, send_call


def key_of(address: str) -> bytes:
    """ERC-734 key id of an Ethereum address: keccak256(abi.encode(address))."""
    return keccak(encode(["address"], [Web3.to_checksum_address(address)]))


def identity_salt(wallet: str) -> str:
    return Web3.to_checksum_address(wallet).lower()


def get_identity(w3: Web3, platform: dict, wallet: str) -> str | None:
    """The ONCHAINID linked to `wallet` by the platform IdFactory, or None."""
    found = contract(w3, "IdFactory", platform["idFactory"]).functions.getIdentity(
        Web3.to_checksum_address(wallet)).call()
    return None if found == ZERO_ADDRESS else found


def create_identity(w3: Web3, deployer: LocalAccount, platform: dict, wallet: str) -> str:
    """Identity of `wallet`, deployed now if it has none; `deployer` must own the IdFactory."""
    existing = get_identity(w3, platform, wallet)
    if existing:
        return existing
    factory = contract(w3, "IdFactory", platform["idFactory"])
    send_call(w3, deployer, function_call(factory, "createIdentityWithManagementKeys",
                                          Web3.to_checksum_address(wallet), identity_salt(wallet),
                                          [key_of(deployer.address)]))
    return get_identity(w3, platform, wallet)


def claim_digest(identity: str, topic: int, data: bytes) -> bytes:
    """The 32 bytes an issuer signs for a claim (before the personal-message prefix)."""
    return keccak(encode(["address", "uint256", "bytes"], [Web3.to_checksum_address(identity), topic, data]))


def sign_claim(claim_signer: LocalAccount, identity: str, topic: int, data: bytes) -> bytes:
    """Issuer signature over the claim, as ClaimIssuer.isClaimValid verifies it."""
    message = encode_defunct(primitive=claim_digest(identity, topic, data))
    return bytes(claim_signer.sign_message(message).signature)


def add_claim(w3: Web3, manager: LocalAccount, platform: dict, identity: str, claim_signer: LocalAccount, *,
              topic: int = KYC_CLAIM_TOPIC, data: bytes = b"", uri: str = "") -> TxReceipt:
    """Sign a claim with the platform signer and store it on `identity` (sent by a management key).

    `data` is what the claim asserts (e.g. a hash of the KYC decision record); it is public on
    chain, so it must never hold personal data itself.
    """
    signature = sign_claim(claim_signer, identity, topic, data)
    target = contract(w3, "Identity", identity)
    return send_call(w3, manager, function_call(target, "addClaim", topic, ECDSA_CLAIM_SCHEME,
                                                platform["claimIssuer"], signature, data, uri))


def claim_id(issuer: str, topic: int) -> bytes:
    """ERC-735 claim id: one claim per (issuer, topic) on an identity."""
    return keccak(encode(["address", "uint256"], [Web3.to_checksum_address(issuer), topic]))


def remove_claim(w3: Web3, manager: LocalAccount, platform: dict, identity: str, *,
                 topic: int = KYC_CLAIM_TOPIC) -> TxReceipt:
    """Withdraw the platform's claim (KYC lapsed): the wallet stops being verified everywhere."""
    target = contract(w3, "Identity", identity)
    return send_call(w3, manager, function_call(target, "removeClaim", claim_id(platform["claimIssuer"], topic)))


def has_valid_claim(w3: Web3, platform: dict, identity: str, topic: int = KYC_CLAIM_TOPIC) -> bool:
    """Whether `identity` holds a platform claim on `topic` that the ClaimIssuer still accepts."""
    stored = contract(w3, "Identity", identity).functions.getClaim(claim_id(platform["claimIssuer"], topic)).call()
    _topic, _scheme, issuer, signature, data, _uri = stored
    if issuer == ZERO_ADDRESS:
        return False
    issuer_contract = contract(w3, "ClaimIssuer", platform["claimIssuer"])
    return issuer_contract.functions.isClaimValid(identity, topic, signature, data).call()


def add_management_key(w3: Web3, manager: LocalAccount, identity: str, address: str) -> TxReceipt:
    """Make `address` a management key of `identity` (needed before Token.recoveryAddress to it)."""
    target = contract(w3, "Identity", identity)
    return send_call(w3, manager, function_call(target, "addKey", key_of(address), MANAGEMENT_KEY, ECDSA_KEY_TYPE))
