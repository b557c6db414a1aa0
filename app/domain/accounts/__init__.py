"""Accounts: sign-up and sign-in (service, credentials, login_guard), passwords (password_rules),
two-factor, staff management of users (staff), a user's whole file for staff (user_file) and the roles and
permissions every route names."""
