"""Shared test setup. Desktop tests get a window manager on the Xvfb pytest-xvfb starts."""

pytest_plugins = ["tests.summary"]  # end-of-run report sections, also from xdist workers
