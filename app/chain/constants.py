"""Protocol numbers shared by the issuer, the identities and the token suites.

They must agree across contracts (a claim is only valid if the topic the issuer signs is the
topic the ClaimTopicsRegistry requires), so they are defined once here.
"""

# Platform convention: topic 1 is "KYC passed". Any uint256 works if issuer and registry agree.
KYC_CLAIM_TOPIC = 1

# ERC-734 key purposes and key type (ONCHAINID).
MANAGEMENT_KEY = 1
ACTION_KEY = 2
CLAIM_KEY = 3
ECDSA_KEY_TYPE = 1

# ERC-735 claim signature scheme: ECDSA over the prefixed keccak of (identity, topic, data).
ECDSA_CLAIM_SCHEME = 1

# T-REX version registered in the reference implementation authority.
TREX_VERSION = (4, 0, 0)

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
