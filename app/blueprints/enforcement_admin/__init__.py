"""Back office: agent actions as enforcement cases (permission `transfers`); routes in routes.py."""
