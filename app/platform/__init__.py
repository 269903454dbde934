"""This desktop's own ways: X11 windows, global hotkeys, autostart, the task lock."""
