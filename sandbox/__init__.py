"""Local stand-ins for the outside providers (KYC, e-signature, mail), speaking their real API shapes.

Development and tests only; never deployed.
"""
