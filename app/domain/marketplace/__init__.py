"""Marketplace: the listed offerings (catalogue, listing), the investor's search (query) and pages
(service)."""
