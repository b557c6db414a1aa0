"""Accounts: sign-up and sign-in (service, credentials, login_guard), passwords (password_rules),
two-factor, staff management of users (staff) and the roles and permissions every route names."""
