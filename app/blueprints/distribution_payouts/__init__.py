"""Payout pages of distributions: staff (permission `dividends`) start a stablecoin payout, download the bank
payment file and mark fiat lines paid; the issuer follows its distribution's payout and its unclaimed lines."""
