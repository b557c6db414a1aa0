"""NAV updates with evidence: an issuer proposes a new NAV per token with its valuation report, staff with the
`offerings` permission approve or reject it, and approved NAVs form the offering's history (docs/nav.md)."""
