"""Payments: stablecoin terms and the treasury (stablecoin, rules), settlement of fiat and stablecoin
payments (settlement), staff decisions on unmatched transfers (review) and bank statements matched to fiat
orders (statements; their camt.053 and CSV readers in statement_formats)."""
