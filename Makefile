# Deskhand: `make run` starts the app, `make test` runs every check. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
APT_PACKAGES := xvfb xauth xdotool x11-utils x11-xserver-utils openbox xterm mousepad xclip tesseract-ocr trayer \
	espeak-ng sox fonts-dejavu-core libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 \
	libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 \
	libxcb-xkb1 libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libportaudio2 dbus at-spi2-core
STAMP := $(VENV)/.installed
# What building the Linux bundle and .deb needs besides APT_PACKAGES (dpkg-shlibdeps computes
# the .deb's Depends; lintian checks it), and PyInstaller through the package extra.
PACKAGING_APT := dpkg-dev binutils patchelf lintian desktop-file-utils
PACKAGE_STAMP := $(VENV)/.installed-package

# The headless Wayland session make test-wayland starts (mutter, PipeWire, the real portal).
WAYLAND_APT := mutter xdg-desktop-portal xdg-desktop-portal-gnome pipewire wireplumber \
	gstreamer1.0-pipewire gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good wl-clipboard

.PHONY: run test test-fast test-wayland wayland-deps test-slow test-packaging lint bench bundle system-deps packaging-deps clean

# Strict editable installs link each module: re-install when a package folder gains a file.
$(STAMP): pyproject.toml $(shell find core vision actions app voice -type d -not -name __pycache__)
	@if [ ! -x $(PY) ]; then $(PYTHON) -m venv $(VENV); fi
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]' --config-settings editable_mode=strict
	touch $(STAMP)

$(PACKAGE_STAMP): $(STAMP)
	$(PIP) install -q -e '.[dev,package]' --config-settings editable_mode=strict
	touch $(PACKAGE_STAMP)

## The Linux bundle's build tools: system packages (one apt-get update at most), then PyInstaller.
packaging-deps:
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(APT_PACKAGES) $(PACKAGING_APT)"
	@$(MAKE) --no-print-directory $(PACKAGE_STAMP)

## Debian/Ubuntu system packages (X server, input tools, OCR for the test oracle, Qt's xcb libs).
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: system-deps $(STAMP)
	$(VENV)/bin/deskhand

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy -p deskhand.core -p deskhand.vision -p deskhand.actions -p deskhand.app -p deskhand.voice
	$(VENV)/bin/lint-imports

## Two workers (CI has 2 cores), each with its own Xvfb, openbox and tray host; a file's tests
## stay on one worker, so its module-scoped displays start once (TEST_WORKERS=0: one process).
TEST_WORKERS ?= 2
test: system-deps $(STAMP) lint
	$(PY) -m pytest -p no:cacheprovider -m "not slow and not wayland" -n $(TEST_WORKERS) --dist loadfile

## Wayland: the portal backend end to end in a headless GNOME mutter session (tests/wayland).
wayland-deps:
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(APT_PACKAGES) $(WAYLAND_APT)"

test-wayland: wayland-deps $(STAMP)
	$(PY) -m pytest -p no:cacheprovider -m wayland --durations=5 tests/wayland

## Slow tests: 10k-example fuzzing and the Linux bundle build + install + start.
test-slow: packaging-deps
	$(PY) -m pytest -p no:cacheprovider -m slow

## Only the Linux bundle test (CI runs it after make test): build the bundle, tarball and .deb,
## install the .deb into a throwaway root, start it in a tray under Xvfb. Prints the sizes and
## start-up times in the summary.
test-packaging: packaging-deps
	$(PY) -m pytest -p no:cacheprovider -m slow --durations=5 tests/packaging

test-fast: $(STAMP)
	$(PY) -m pytest -m "not desktop and not wayland" -x -q

bench: system-deps $(STAMP)
	$(PIP) install -q -e '.[dev,bench]' --config-settings editable_mode=strict
	$(PY) -m bench

## Linux bundle, portable tarball and .deb in dist/ (packaging/README.md), then lintian.
bundle: packaging-deps
	$(PY) packaging/build_linux.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
