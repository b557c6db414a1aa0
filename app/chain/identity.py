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
- Factory-only identities: a registry entry is made only for the identity the platform's own
  IdFactory made for that very wallet (IdFactory.getIdentity(wallet)); an identity address from
  anywhere else (a user, a form, a stored field) is refused. The reference IdentityRegistry lets
  a registered contract that is not a genuine ONCHAINID pass isVerified, so the registry must
  never see one.
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


class NotFactoryIdentity(ValueError):
    """An identity address that is not the one the platform's IdFactory made for the wallet."""


def require_factory_identity(w3: Web3, platform: dict, wallet: str, identity: str,
                             *, also_of: str | None = None) -> str:
    """`identity` if the platform IdFactory made it for `wallet` (or for `also_of`: a recovery registers the
    lost wallet's identity for the new wallet); else NotFactoryIdentity naming what the factory holds."""
    claimed = Web3.to_checksum_address(identity)
    made = [get_identity(w3, platform, w) for w in (wallet, also_of) if w]
    if claimed not in made:
        holds = ", ".join(str(m) for m in made if m) or "no identity"
        raise NotFactoryIdentity(
            f"{claimed} is not the ONCHAINID the platform's IdFactory made for wallet "
            f"{Web3.to_checksum_address(wallet)} (it holds {holds}); only factory-made identities are registered.")
    return claimed


# op -> how to read (wallet, identity, wallet whose identity may also be used) pairs from its arguments
_REGISTRATIONS = {
    "registerIdentity": lambda args: [(args[0], args[1], None)],
    "batchRegisterIdentity": lambda args: [(w, i, None) for w, i in zip(args[0], args[1], strict=True)],
    "recoveryAddress": lambda args: [(args[1], args[2], args[0])],
}
REGISTRATION_OPS = frozenset(_REGISTRATIONS)


def check_registration(w3: Web3, platform: dict | None, op: str, args: tuple) -> None:
    """Before an operation that writes an identity into a registry (registerIdentity, batchRegisterIdentity,
    Token.recoveryAddress), refuse any identity the platform IdFactory did not make for its wallet."""
    pairs = _REGISTRATIONS.get(op)
    if pairs is None:
        return
    if platform is None:
        raise RuntimeError("the platform contracts are not deployed on this chain; run `flask chain bootstrap`")
    for wallet, identity, also_of in pairs(args):
        require_factory_identity(w3, platform, wallet, identity, also_of=also_of)


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
