"""Portfolio: the investor's holdings, value and gains as pure folds (rules), loaded for the
signed-in investor (service), exported as CSV (csv_export)."""
