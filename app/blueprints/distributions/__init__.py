"""Issuer pages of distributions: declare one for an owned, deployed offering; list them; see one's holders."""
