"""RQ job functions: they receive ids, reload state, and are safe to run twice.

One module per area's jobs (`chain`, `minting`, `settlement`, `order_expiry`, `identity`, `kyc`,
`esign`, `notifications`), each job declared with its queue and settings by `@job`
(app/tasks/queues.py, where the queue names are declared once) and enqueued by reference:
`kyc_jobs.open_applicant.delay(str(user_id), job_id=...)`.

How jobs and services import each other: a job calls its area's service and a service
enqueues its job, so the two import each other. Both sides import the other as a module
(`from app.domain.onboarding import service as onboarding`, `from app.tasks import kyc as
kyc_jobs`) and use its attributes only when called, so whichever is imported first loads; no
module in such a cycle takes a name from another at import time (tests/unit/test_jobs.py checks it).
"""
