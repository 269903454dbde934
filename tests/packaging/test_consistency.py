"""Fast checks that every packaging recipe agrees with pyproject.toml and with the app.

The Windows installer and the macOS app can't be built here; these tests hold their
scripts to the same name, version source, entry point, icons and autostart entries as the
Linux build, which the slow test builds for real.
"""

from __future__ import annotations

import ast
import configparser
import os
import plistlib
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from PIL import Image

from deskhand.app.platform import autostart

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ISS = ROOT / "packaging" / "windows" / "deskhand.iss"
DMG = ROOT / "packaging" / "macos" / "build_dmg.sh"
WORKFLOW = ROOT / ".github" / "workflows" / "package.yml"
RECIPES = [
    ROOT / "packaging" / "deskhand.spec",
    ISS,
    DMG,
    WORKFLOW,
    ROOT / "packaging" / "build_linux.py",
    ROOT / "packaging" / "linux" / "deskhand.desktop",
]


def iss_defines() -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', ISS.read_text(encoding="utf-8"), re.M))


def iss_setup() -> dict[str, str]:
    text = ISS.read_text(encoding="utf-8").split("[Setup]", 1)[1].split("\n[", 1)[0]
    return dict(re.findall(r"^(\w+)=(.*)$", text, re.M))


def spec_bundle_call() -> ast.Call:
    tree = ast.parse((ROOT / "packaging" / "deskhand.spec").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "BUNDLE"]
    assert len(calls) == 1
    return calls[0]


# ---- identity: name, version, entry point -------------------------------------------------


def test_project_metadata_is_read_from_pyproject(project: ModuleType) -> None:
    p = project.load()
    meta = PYPROJECT["project"]
    assert (p.name, p.version, p.summary) == (meta["name"], meta["version"], meta["description"])
    assert p.entry_point == meta["scripts"][p.name]
    assert callable(getattr(import_module(p.entry_module), p.entry_function))
    assert re.fullmatch(r".+ <[^@\s]+@[^@\s]+\.[a-z]+>", p.maintainer)


def test_the_frozen_launcher_runs_the_console_script(project: ModuleType) -> None:
    p = project.load()
    source = p.launcher_source()
    compile(source, "deskhand_main.py", "exec")
    lines = source.splitlines()
    entry = lines.index(f"from {p.entry_module} import {p.entry_function}")
    # The environment is fixed before any of our code (or Qt) can start a child process.
    assert lines.index("deskhand_frozen_env.restore_environment()") < entry
    assert lines.index("deskhand_frozen_env.ensure_std_streams()") < entry
    assert lines[-1] == f"sys.exit({p.entry_function}())"


def test_no_recipe_types_the_version(project: ModuleType) -> None:
    version = re.compile(rf"(?<![\d.]){re.escape(project.load().version)}(?![\d.])")
    for recipe in RECIPES:
        assert not version.search(recipe.read_text(encoding="utf-8")), f"{recipe.name} hard-codes the version"


def test_the_spec_takes_name_version_and_icons_from_the_project(project: ModuleType) -> None:
    spec = (ROOT / "packaging" / "deskhand.spec").read_text(encoding="utf-8")
    for needle in (
        "P = project.load()",
        "copy_metadata(P.name)",  # `deskhand --version` reads the distribution's metadata
        "collect_submodules(P.name",  # the CLI imports its commands by name
        "LAUNCHER.write_text(P.launcher_source()",
        "project.ICON_ICO",
        "project.ICON_ICNS",
        "name=P.name",
    ):
        assert needle in spec
    keywords = {k.arg: k.value for k in spec_bundle_call().keywords}
    assert ast.unparse(keywords["bundle_identifier"]) == "project.BUNDLE_ID"
    assert ast.unparse(keywords["version"]) == "P.version"


# ---- icons -------------------------------------------------------------------------------


def test_icons_exist_at_every_size(project: ModuleType) -> None:
    root = ET.fromstring(project.ICON_SVG.read_text(encoding="utf-8"))  # noqa: S314 - our own file
    _, _, width, height = root.attrib["viewBox"].split()
    assert width == height
    for size in project.ICON_SIZES:
        with Image.open(project.icon_png(size)) as png:
            assert png.size == (size, size) and png.mode == "RGBA"
    assert min(project.ICON_SIZES) == 16 and max(project.ICON_SIZES) == 512
    with Image.open(project.ICON_ICO) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(project.ICON_ICNS) as icns:
        assert icns.size[0] >= 512


def test_the_desktop_entry_starts_the_tray_app_with_our_icon(project: ModuleType) -> None:
    p = project.load()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(project.DESKTOP_ENTRY, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"] == p.name  # no command: the tray app
    assert section["Icon"] == project.ICON_NAME
    assert section["Name"] == project.APP_NAME
    assert section["Terminal"] == "false"
    # The app's own autostart entry names the same icon, so the login item looks the same.
    assert f"Icon={project.ICON_NAME}\n" in autostart.desktop_entry(["deskhand"])
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(
            ["desktop-file-validate", str(project.DESKTOP_ENTRY)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


# ---- Windows -----------------------------------------------------------------------------


def test_the_inno_setup_script_installs_our_bundle_per_user(project: ModuleType) -> None:
    p = project.load()
    defines, setup = iss_defines(), iss_setup()
    here = ISS.parent
    assert defines["CliExe"] == f"{p.name}.exe"
    assert defines["TrayExe"] == f"{p.name}w.exe"  # the spec's windowed twin
    assert '_exe(f"{P.name}w", console=False)' in (ROOT / "packaging" / "deskhand.spec").read_text()
    assert (here / defines["BundleDir"].replace("\\", "/")).resolve() == ROOT / "dist" / p.name
    assert (here / setup["SetupIconFile"].replace("\\", "/")).resolve() == project.ICON_ICO
    assert project.ICON_ICO.exists()
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["AppVersion"] == "{#AppVersion}"
    assert "#ifndef AppVersion" in ISS.read_text(encoding="utf-8")
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["UninstallDisplayIcon"] == r"{app}\{#TrayExe}"


def test_the_installer_autostart_is_the_apps_own_autostart() -> None:
    """Installer task and tray toggle write the same value, so either can turn it off."""
    defines, text = iss_defines(), ISS.read_text(encoding="utf-8")
    assert defines["RunKey"] == autostart.RUN_KEY
    assert defines["RunValue"] == autostart.VALUE_NAME
    assert 'Name: "autostart"' in text and "Tasks: autostart" in text
    assert "RegDeleteValue(HKEY_CURRENT_USER, '{#RunKey}', '{#RunValue}')" in text  # uninstaller
    assert r'Name: "{userprograms}\{#AppName}"' in text  # Start menu, this user


# ---- macOS -------------------------------------------------------------------------------


def test_the_app_bundle_asks_for_what_a_screen_driving_app_needs(project: ModuleType) -> None:
    keywords = {k.arg: k.value for k in spec_bundle_call().keywords}
    plist = keywords["info_plist"]
    assert isinstance(plist, ast.Dict)
    entries = {ast.literal_eval(k): v for k, v in zip(plist.keys, plist.values, strict=True) if k is not None}
    for key in (
        "NSScreenCaptureUsageDescription",
        "NSAppleEventsUsageDescription",
        "NSMicrophoneUsageDescription",
    ):
        text = ast.literal_eval(entries[key])
        assert isinstance(text, str) and "Deskhand" in text and len(text) > 40
    assert ast.literal_eval(entries["LSUIElement"]) is True  # tray app: no Dock icon
    assert ast.unparse(keywords["name"]) == "f'{project.APP_NAME}.app'"
    # The LaunchAgent the app writes for autostart carries the bundle's identifier.
    assert project.BUNDLE_ID == autostart.AGENT_LABEL


def test_the_dmg_recipe_packs_that_app(project: ModuleType) -> None:
    text = DMG.read_text(encoding="utf-8")
    assert os.access(DMG, os.X_OK)
    assert f"app=dist/{project.APP_NAME}.app" in text
    assert 'tomllib.load(open("pyproject.toml", "rb"))["project"]["version"]' in text
    assert "hdiutil create" in text and "--options runtime" in text and "notarytool submit" in text
    assert "--entitlements packaging/macos/entitlements.plist" in text
    entitlements = plistlib.loads((ROOT / "packaging" / "macos" / "entitlements.plist").read_bytes())
    assert entitlements["com.apple.security.device.audio-input"] is True
    assert entitlements["com.apple.security.automation.apple-events"] is True
    subprocess.run(["sh", "-n", str(DMG)], check=True)


# ---- CI and make ---------------------------------------------------------------------------


def test_the_workflow_builds_every_platform_from_these_recipes() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    for needle in (
        "ubuntu-",
        "windows-",
        "macos-",
        "python packaging/build_linux.py",
        r"packaging\deskhand.spec",
        r"/DAppVersion=${{ steps.meta.outputs.version }} packaging\windows\deskhand.iss",
        "packaging/macos/build_dmg.sh",
        '["project"]["version"]',
        '".[package]"',
    ):
        assert needle in text, needle
    workflow = yaml.safe_load(text)
    kinds = {row["kind"] for row in workflow["jobs"]["package"]["strategy"]["matrix"]["include"]}
    assert kinds == {"linux", "windows", "macos"}


def test_make_bundle_runs_the_linux_build() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^bundle:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert target, "Makefile has no bundle target"
    assert "packaging/build_linux.py" in target.group(1)


# ---- the frozen app's environment ----------------------------------------------------------


def test_children_get_the_users_library_path_back() -> None:
    from tests.packaging.conftest import load_packaging

    frozen_env = load_packaging("deskhand_frozen_env")
    bundle = "/opt/deskhand/_internal"
    env = {
        "LD_LIBRARY_PATH": f"{bundle}:/home/me/lib",
        "LD_LIBRARY_PATH_ORIG": "/home/me/lib",
        "QT_PLUGIN_PATH": f"{bundle}/PySide6/Qt/plugins",
        "QML2_IMPORT_PATH": f"{bundle}/PySide6/Qt/qml",
        "PATH": f"{bundle}:/usr/bin:/bin",
        "HOME": "/home/me",
    }
    frozen_env.restore_environment(env, bundle=bundle)
    assert env == {"LD_LIBRARY_PATH": "/home/me/lib", "PATH": "/usr/bin:/bin", "HOME": "/home/me"}


def test_without_an_original_value_the_bundles_path_is_dropped() -> None:
    from tests.packaging.conftest import load_packaging

    frozen_env = load_packaging("deskhand_frozen_env")
    env = {"LD_LIBRARY_PATH": "/opt/deskhand/_internal", "QT_PLUGIN_PATH": "/usr/lib/qt6/plugins"}
    frozen_env.restore_environment(env, bundle="/opt/deskhand/_internal")
    assert env == {"QT_PLUGIN_PATH": "/usr/lib/qt6/plugins"}  # the user's own value stays
    untouched = {"LD_LIBRARY_PATH": "/x"}
    frozen_env.restore_environment(untouched)  # not frozen: nothing to undo
    assert untouched == {"LD_LIBRARY_PATH": "/x"}


# ---- the .deb's text files -----------------------------------------------------------------


def test_depends_keep_the_stricter_of_two_relations(build_linux: ModuleType) -> None:
    merged = build_linux._merge(
        ["libx11-6", "libc6 (>= 2.35)"], ["libx11-6 (>= 2:1.8)", "libxrandr2", "libc6"]
    )
    assert merged == ["libc6 (>= 2.35)", "libx11-6 (>= 2:1.8)", "libxrandr2"]


def test_the_control_file_is_well_formed(build_linux: ModuleType, project: ModuleType) -> None:
    p = project.load()
    text = build_linux.control_file(p, "amd64", 1234, ["libc6 (>= 2.35)", "libegl1"], ["espeak-ng"])
    fields = dict(re.findall(r"^([A-Z][\w-]+): (.*)$", text, re.M))
    assert fields["Package"] == p.name and fields["Version"] == p.version
    assert fields["Depends"] == "libc6 (>= 2.35), libegl1" and fields["Recommends"] == "espeak-ng"
    assert fields["Installed-Size"] == "1234"
    synopsis = fields["Description"]
    assert len(synopsis) < 80 and not re.match(r"(?i)(a|an|the) ", synopsis)
    body = text.split("Description: ", 1)[1].splitlines()[1:]
    assert body and all(line.startswith(" ") and len(line) <= 80 for line in body)
    assert "\n\n" not in text and text.endswith("\n")


def test_the_man_page_documents_every_command(build_linux: ModuleType, project: ModuleType) -> None:
    from deskhand.app.cli.main import build_parser

    page = build_linux.man_page(project.load(), datetime(2026, 1, 2, tzinfo=UTC))
    assert page.startswith('.TH DESKHAND 1 "2026-01-02"')
    commands = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction").choices
    for name in commands:  # type: ignore[union-attr]
        assert f"\n.SS {name}\n" in page
    assert not re.search(r"^[.'](?!TH|SH|SS|TP|PP|nf|fi)", page, re.M), "a help line reads as a roff request"
    if shutil.which("groff"):
        done = subprocess.run(
            ["groff", "-man", "-Tutf8", "-ww", "-z"], input=page, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0 and not done.stderr, done.stderr


def test_the_changelog_parses(build_linux: ModuleType, project: ModuleType, tmp_path: Path) -> None:
    p = project.load()
    text = build_linux.changelog(p, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert text.startswith(f"{p.name} ({p.version}) unstable; urgency=medium\n")
    if shutil.which("dpkg-parsechangelog"):
        (tmp_path / "changelog").write_text(text, encoding="utf-8")
        done = subprocess.run(
            ["dpkg-parsechangelog", "-l", str(tmp_path / "changelog"), "-S", "Version"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert done.stdout.strip() == p.version


def test_every_accepted_lintian_tag_says_why() -> None:
    blocks = (ROOT / "packaging" / "linux" / "lintian-overrides").read_text(encoding="utf-8").split("\n\n")
    for block in blocks[1:]:
        lines = block.strip().splitlines()
        overrides = [ln for ln in lines if not ln.startswith("#")]
        assert overrides and all(ln.startswith("deskhand: ") for ln in overrides)
        assert lines[0].startswith("#"), f"no reason given for {overrides}"


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")
def test_the_tarballs_menu_entry_script_installs_and_removes(tmp_path: Path, project: ModuleType) -> None:
    unpacked = tmp_path / "deskhand 0.x"  # a space, to check the Exec quoting
    (unpacked / "share" / "applications").mkdir(parents=True)
    shutil.copy(project.DESKTOP_ENTRY, unpacked / "share" / "applications" / "deskhand.desktop")
    icon = unpacked / "share" / "icons" / "hicolor" / "48x48" / "apps" / "deskhand.png"
    icon.parent.mkdir(parents=True)
    shutil.copy(project.icon_png(48), icon)
    (unpacked / "deskhand").write_text("#!/bin/sh\n")
    script = unpacked / "install-desktop-entry.sh"
    shutil.copy(ROOT / "packaging" / "linux" / "install-desktop-entry.sh", script)
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}
    subprocess.run([str(script)], env=env, check=True, capture_output=True)
    entry = (home / ".local" / "share" / "applications" / "deskhand.desktop").read_text(encoding="utf-8")
    assert f'\nExec="{unpacked}/deskhand"\n' in entry
    assert (home / ".local" / "share" / "icons" / "hicolor" / "48x48" / "apps" / "deskhand.png").exists()
    assert (home / ".local" / "bin" / "deskhand").resolve() == unpacked / "deskhand"
    subprocess.run([str(script), "--remove"], env=env, check=True, capture_output=True)
    assert not (home / ".local" / "share" / "applications" / "deskhand.desktop").exists()
    assert not (home / ".local" / "bin" / "deskhand").exists()
