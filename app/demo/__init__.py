"""The living demo: a development platform that already has people, offerings, orders and tokens.

`flask demo seed` (and the first `make run`) creates them through the platform's own services, as
people would have: accounts, KYC decided by the demo admin, wallets proven with keys the platform
derives from its local secret, an approved issuer, offerings reviewed, deployed on the local chain,
whitelisted investors, and orders paid (bank transfer and stablecoin) and minted by the chain jobs.

One module per step (people, offerings, investing); `seed.run` runs them in order. Each step finds
what an earlier, interrupted run made before creating anything, and a marker in MongoDB
(`app/data/demo_runs.py`) makes a completed demo a no-op. Later features add a module and a step.
Never in production.
"""
