"""Investigation views over the trace explorer: a diff of two runs, a conversation."""
