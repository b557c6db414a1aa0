"""Back office: an offering's compliance limits as the chain has them, changed by staff with `offerings`."""
