"""Onboarding: the KYC/KYB wizard (service, rules), the KYC provider's decisions (kyc, kyc_rules) and
reviewers' (review), wallets proven by signature (wallets, siwe), their ONCHAINID identities
(identities), encrypted identity numbers (sensitive), issuer applications and staff revoking an approved
KYC (revocation)."""
