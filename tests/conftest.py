"""Shared test setup. Desktop tests get a window manager on the Xvfb pytest-xvfb starts."""
