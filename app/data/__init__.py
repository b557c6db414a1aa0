"""Data layer: one module per MongoDB collection (its indexes, queries and atomic updates).

This package is the only place that imports pymongo.
"""

from __future__ import annotations

from pymongo.database import Database

from app.data import (
    addresses,
    agent_actions,
    audit_logs,
    bank_entries,
    bank_statements,
    chain_checkpoints,
    chain_contracts,
    chain_deployments,
    chain_events,
    chain_jobs,
    chain_tokens,
    compliance_limit_changes,
    converts,
    custody_wallets,
    distribution_payouts,
    distributions,
    dividends,
    document_accesses,
    esign_webhooks,
    holder_transfers,
    holdings,
    kyc_webhooks,
    mint_claims,
    mint_txs,
    nav_history,
    offerings,
    orders,
    outbox,
    parked_contracts,
    parked_events,
    passwords,
    payments,
    registrations,
    saved_transfer_requests,
    transfer_requests,
    user_details,
    user_tokens,
    users,
    whitelists,
    withholding_rates,
)
from app.data.indexes import ensure

COLLECTIONS = (users, addresses, user_details, passwords, offerings, whitelists, converts, orders, dividends,
               transfer_requests, saved_transfer_requests, chain_events, chain_checkpoints, chain_contracts,
               chain_jobs, chain_tokens, holdings, registrations, chain_deployments, user_tokens, outbox, audit_logs,
               kyc_webhooks, esign_webhooks, mint_claims, mint_txs, payments, agent_actions,
               parked_events, parked_contracts, custody_wallets, document_accesses, bank_statements, bank_entries,
               nav_history, distributions, withholding_rates, holder_transfers, distribution_payouts,
               compliance_limit_changes)


def init_db(db: Database) -> dict[str, list[str]]:
    """Create every collection and its indexes; safe to run again (returns what was created)."""
    existing = set(db.list_collection_names())
    created = {}
    for module in COLLECTIONS:
        if module.NAME not in existing:
            db.create_collection(module.NAME)
        created[module.NAME] = ensure(db, module.NAME, module.INDEXES, getattr(module, "RETIRED_INDEXES", ()))
    return created
