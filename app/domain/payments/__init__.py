"""Payments: stablecoin terms and the treasury (stablecoin, rules), settlement of fiat and stablecoin
payments (settlement) and staff decisions on unmatched transfers (review)."""
