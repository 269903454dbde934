"""What every packaging recipe needs to know about Deskhand, read from pyproject.toml.

Why one module: the name, version, summary and entry point appear in the PyInstaller spec,
the .deb control file, the Inno Setup defines and the macOS Info.plist.  Reading them here,
from the one place they are declared, makes a release bump a one-line edit and lets the
tests prove that every recipe agrees.  Standard library only, because the PyInstaller spec,
the build scripts and CI (before anything else is installed) all import it.

It lives in ``packaging/`` without an ``__init__.py`` and is loaded by path, so it never
shadows the PyPI ``packaging`` library.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
PACKAGING = ROOT / "packaging"

APP_NAME = "Deskhand"  # what people see: menus, the Start menu, the .app, the tray tooltip
# Reverse-DNS id: the macOS bundle identifier.  The same string labels the LaunchAgent that
# app/platform/autostart.py writes, so "Deskhand" in System Settings > Login Items is one app.
BUNDLE_ID = "org.deskhand.app"
ICON_NAME = "deskhand"  # freedesktop icon name; app/platform/autostart.py writes Icon=deskhand

ASSETS = ROOT / "assets"
ICON_SVG = ASSETS / "deskhand.svg"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)  # hicolor sizes, 16 to 512
ICON_ICO = ASSETS / "deskhand.ico"
ICON_ICNS = ASSETS / "deskhand.icns"
DESKTOP_ENTRY = PACKAGING / "linux" / "deskhand.desktop"
SPEC = PACKAGING / "deskhand.spec"
INNO_SCRIPT = PACKAGING / "windows" / "deskhand.iss"

# Used only until pyproject.toml names maintainers; dpkg requires some "Name <address>".
FALLBACK_MAINTAINER = "Deskhand developers <deskhand@users.noreply.github.com>"


def icon_png(size: int) -> Path:
    return ASSETS / "icons" / f"deskhand-{size}.png"


@dataclass(frozen=True)
class Project:
    """The distribution's identity as pyproject.toml declares it."""

    name: str  # distribution and command name: "deskhand"
    version: str
    summary: str
    license: str
    entry_module: str  # "deskhand.app.cli.main"
    entry_function: str  # "main"
    maintainer: str
    homepage: str | None

    @property
    def entry_point(self) -> str:
        return f"{self.entry_module}:{self.entry_function}"

    def launcher_source(self) -> str:
        """The bundle's ``__main__``: exactly what the ``deskhand`` console script runs."""
        return (
            f'"""Frozen entry point generated from pyproject.toml ({self.entry_point})."""\n'
            "import sys\n\n"
            "import deskhand_frozen_env\n\n"
            "deskhand_frozen_env.ensure_std_streams()\n"
            "deskhand_frozen_env.restore_environment()\n\n"
            f"from {self.entry_module} import {self.entry_function}\n\n"
            f"sys.exit({self.entry_function}())\n"
        )


def load(path: Path = PYPROJECT) -> Project:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    meta = data["project"]
    name = meta["name"]
    module, _, function = meta["scripts"][name].partition(":")
    people = meta.get("maintainers") or meta.get("authors") or []
    person = next((p for p in people if p.get("email")), None)
    maintainer = f"{person.get('name', name)} <{person['email']}>" if person else FALLBACK_MAINTAINER
    licence = meta.get("license", {})
    urls = meta.get("urls", {})
    return Project(
        name=name,
        version=meta["version"],
        summary=meta["description"],
        license=licence.get("text", "") if isinstance(licence, dict) else str(licence),
        entry_module=module,
        entry_function=function,
        maintainer=maintainer,
        homepage=urls.get("Homepage") or urls.get("homepage"),
    )
