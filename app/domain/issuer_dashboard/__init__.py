"""The issuer's dashboard of one offering: raise over time, orders by state, whitelist pipeline, investors,
cap table (with its CSV), documents' access log and the offering's events.

Modules: `rules` (pure figures), `exports` (CSV safe to open in a spreadsheet), `service` (who may see which
offering, and the figures read from MongoDB), `document_access` (who opened which version of a document).
"""
