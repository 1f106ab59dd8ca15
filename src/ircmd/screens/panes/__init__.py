"""War-room panes: one container per pane, each taking ``(workspace, incident_id)``."""
