"""Platform-held wallets for investors without a browser wallet.

- `keys.py`: the data key sealing private keys at rest (`DataKey`, `LocalDataKey`; a KMS in production)
- `rules.py`: pure rules (who may have one, what a held wallet may do)
- `service.py`: creating the wallet, registering it like a proven one, opening its key on the server
"""
