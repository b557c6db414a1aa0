"""Distributions (dividends): declared by an issuer, approved by staff, holders fixed at the record date from
the chain, withholding per residence country; paid by payout.py / fiat.py (docs/distributions.md)."""
