"""Back office: the transactions record (chain jobs and payments received) and the failed chain jobs."""
