"""Model endpoints (OpenAI-compatible chat completions) used to replay a pinned call."""
