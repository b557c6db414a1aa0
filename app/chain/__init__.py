"""Everything that talks to the EVM: pinned artifacts, transactions, platform bootstrap, token suites.

The rest of the app goes through these modules only, so web3 details (nonces, gas, revert
decoding, log decoding) stay in one place and come out as plain dicts and ChainRevert errors.
"""
