"""Compliance over time: how long an approved KYC stays valid, warnings before it lapses, and what happens at
expiry (app.domain.compliance.rekyc). docs/compliance.md."""
