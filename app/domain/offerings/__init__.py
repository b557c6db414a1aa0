"""Offerings: the issuer's wizard (service, rules), reviewers' decisions (review), the token suite's
deployment (deployment) and what the offering page shows (page)."""
