"""The commander's loop over the store: stakeholder updates (draft, send, next due), response
metrics and the shift handoff (it reads updates and the regulatory deadlines, so it sits above
both incidents and regulatory)."""
