"""Transfer requests (seed: TransferRequet): holdings moved from one wallet to another, decided by staff.

Today one kind exists: an investor moving holdings out of the wallet Libertum holds for them
(app.domain.custody) to a wallet they proved by signature. Issue 14 grows this into the general
feature (transfers between investors, staff-initiated forced transfers): a new kind adds its own
request module beside `custody_exit.py`; review and execution are shared.

- `rules.py`: pure rules (statuses, who may decide, the request's seed fields)
- `custody_exit.py`: the investor's request, confirmed with their second factor
- `review.py`: staff approve (with a remark) or reject (with a reason); the maker never decides
- `execution.py`: the approved request executed once on chain (identity, registration, forcedTransfer)
"""
