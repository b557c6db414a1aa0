"""Reports per offering and platform-wide (CSV exports), and the printable investor statement.

Modules: `rules` (pure figures), `service` (who may read which report, and the documents they read),
`statement` (an investor's holdings, orders and distributions over a date range).
"""
