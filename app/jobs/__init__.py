"""Model-server calls run off the GUI thread, and how their progress is told."""
