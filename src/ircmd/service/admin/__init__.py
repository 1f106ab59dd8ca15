"""Store administration the CLI runs (migrate, copy between TinyDB and PostgreSQL)."""
