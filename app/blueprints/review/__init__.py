"""Back-office review pages: KYC applications (permission `kyc`) and issuer requests (`issuer_requests`)."""
