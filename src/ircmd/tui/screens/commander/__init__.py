"""The commander's war-room parts: tasks (and, as they land, updates and handoff)."""
