"""War-room panes: containers that own workers and compose pure widgets (see base.Pane)."""
