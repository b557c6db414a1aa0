"""RQ job functions: they receive ids, reload state, and are safe to run twice."""
