"""Conversion of an offering's ERC-3643 security tokens to its plain ERC-20 and back (docs/conversion.md)."""
