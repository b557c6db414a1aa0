"""Platform: what every area shares: audit and notifications, health, chain jobs and agent
operations (chain_jobs, chain_ops, chain), reconciliation, uploads, charts and input rules
(numerals, text_rules)."""
