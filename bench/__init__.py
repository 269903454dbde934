"""``make bench``: what Deskhand spends per step outside the model, measured on a real desktop.

Runs the real loop (private Xvfb at 1920x1080, mss capture, XTest input, HTTP to the fake
Ollama server with emulated model latency) on the Qt test form, next to a naive baseline
configured like the peers and the raw capture floor, and writes ``bench/results/``.
See ``bench/__main__.py`` for the options and README.md ("Latency") for the numbers.
"""
