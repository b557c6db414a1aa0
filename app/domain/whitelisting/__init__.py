"""Whitelisting: an investor's request per offering (service, rules), the e-signature provider's
events (webhooks) and the transfer agent's and admins' decisions (review)."""
