"""Stakeholder updates over the store: draft, send, next due."""
