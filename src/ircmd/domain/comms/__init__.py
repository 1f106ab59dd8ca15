"""Stakeholder updates: audiences, cadence and grounded drafts (pure)."""
