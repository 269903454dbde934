"""The install path a Python user takes: `pip install .` (README), then `deskhand`.

Qt is a base dependency (the tray app is the product), the build itself prints no
deprecation banner, and when Qt is missing anyway `deskhand` says so in one line with the
command that fixes it (exit 2) instead of a traceback.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.packaging.desktop_user import in_tray, user_env
from tests.ui.conftest import poll

ROOT = Path(__file__).resolve().parents[2]


def copy_of_the_repo(dest: Path) -> Path:
    """The repository's files as a fresh clone has them (no venv, no build leftovers)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def test_building_the_package_prints_no_deprecation_banner(tmp_path: Path) -> None:
    """The license is an SPDX expression, which the build requirement's setuptools reads."""
    repo = copy_of_the_repo(tmp_path / "repo")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path / "dist"), str(repo)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    output = built.stdout + built.stderr
    assert not re.search(r"deprecat", output, re.I), re.findall(r".*deprecat.*", output, re.I)
    (wheel,) = (tmp_path / "dist").glob("deskhand-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA")))
    text = metadata.decode()
    assert "License-Expression: Apache-2.0" in text
    assert re.search(r"^Requires-Dist: pyside6-essentials", text, re.M | re.I), "Qt must be a base dependency"


def test_without_qt_the_tray_app_says_how_to_install_it() -> None:
    """PySide6 made unimportable in this interpreter: one line, the fix, exit code 2."""
    code = "import sys; sys.modules['PySide6'] = None; from deskhand.app.cli.main import main; sys.exit(main([]))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [
        "deskhand: error: Tried to start the tray app, but Qt for Python (PySide6) is not installed here. "
        f"Install it with `{sys.executable} -m pip install pyside6-essentials`; "
        "`deskhand do`, `doctor` and the other commands work without it."
    ]


@pytest.mark.slow
@pytest.mark.desktop
@pytest.mark.timeout(1800)  # a clean venv installs Qt, numpy and the rest: minutes on a busy machine
def test_pip_install_then_deskhand_starts_in_the_tray(tmp_path: Path, trayer: None) -> None:
    """As the README says: a venv, `pip install .` from the clone, `deskhand` -> tray icon.

    Then without Qt (uninstalled from that venv) it explains itself instead of crashing."""
    repo = copy_of_the_repo(tmp_path / "repo")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(  # pip's own cache stays in use: no --no-cache-dir
        [str(venv / "bin" / "pip"), "install", "-q", "."],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    exe = venv / "bin" / "deskhand"
    env = user_env(tmp_path, PATH=f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin")
    (tmp_path / "config.toml").write_text('host = "http://127.0.0.1:9"\nmodel = "qwen2.5vl:7b"\n')
    err = tmp_path / "stderr.txt"
    assert not in_tray()
    with err.open("wb") as stderr:
        proc = subprocess.Popen([str(exe)], env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        poll(in_tray, 60, "the pip-installed app's icon inside trayer's panel")
        assert proc.poll() is None, err.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, err.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    poll(lambda: not in_tray(), 10, "the icon to leave the tray")
    assert "Traceback" not in err.read_text()

    subprocess.run(
        [str(venv / "bin" / "pip"), "uninstall", "-q", "-y", "pyside6-essentials", "shiboken6"], check=True
    )
    r = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    (line,) = r.stderr.splitlines()
    assert line.startswith("deskhand: error: Tried to start the tray app, but Qt for Python (PySide6)")
    assert re.search(
        rf"`{re.escape(str(venv))}/bin/python[0-9.]* -m pip install pyside6-essentials`", line
    ), line
