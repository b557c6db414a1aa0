"""Agent actions on a token as enforcement cases (issue 14): reason, evidence, maker-checker, time lock."""
