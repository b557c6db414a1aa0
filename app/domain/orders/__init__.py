"""Orders: placement and cancellation (placement, rules, reservations), expiry of unpaid orders
(expiry), the back office (review, search) and minting of settled orders (minting, mint_recovery)."""
