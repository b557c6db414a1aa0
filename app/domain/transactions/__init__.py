"""The platform's transactions record: every chain job (transaction) the platform sent, with its purpose,
state, block, gas and related page; the payments it received; the failed jobs staff retry or resolve.

Modules: `rules` (pure: purposes, states, filters, keyset cursors), `service` (the record, failed jobs'
retry and resolution), `exports` (CSV).
"""
