"""Build Deskhand's Linux artifacts into dist/: the one-dir bundle, a portable tarball, a .deb.

    .venv/bin/python packaging/build_linux.py [--skip-pyinstaller] [--no-lintian] [--fast]

(``make bundle`` runs it.)  Steps, each printed as it starts:

1. PyInstaller with packaging/deskhand.spec  ->  dist/deskhand/  (+ build/pyinstaller/.../bundle-manifest.json)
2. dist/deskhand-VERSION-linux-ARCH.tar.gz: the bundle, its menu entry and icons, and
   install-desktop-entry.sh for a per-user, root-less install.
3. dist/deskhand_VERSION_ARCH.deb: the bundle in /opt/deskhand, /usr/bin/deskhand, the menu
   entry, hicolor icons, a man page, copyright and changelog.  Depends is computed, not
   typed: dpkg-shlibdeps for what the bundled binaries link from the system, plus the
   libraries Python code loads by name (``ctypes``), which no linker records.
4. lintian, when installed; its tags are printed and saved to build/deb/lintian.txt.

Name, version, summary and entry point come from pyproject.toml (packaging/project.py).
Needs dpkg-dev (dpkg-shlibdeps) and binutils (objdump); lintian is optional.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from types import ModuleType


def _load(name: str) -> ModuleType:
    """A sibling module loaded by path: ``packaging/`` must not shadow PyPI's ``packaging``."""
    key = f"deskhand_packaging_{name}"
    if key in sys.modules:  # loaded already (by a test, or by another script)
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, Path(__file__).with_name(f"{name}.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


project = _load("project")
ROOT: Path = project.ROOT
LINUX = project.PACKAGING / "linux"


@dataclass
class Dirs:
    """Where artifacts go (dist) and where work files go (build); --dist/--build change them."""

    dist: Path = ROOT / "dist"
    build: Path = ROOT / "build"

    @property
    def pyinstaller(self) -> Path:
        return self.build / "pyinstaller"

    @property
    def deb(self) -> Path:
        return self.build / "deb"


DIRS = Dirs()
INSTALL_DIR = "opt/deskhand"  # where the .deb puts the bundle (relative to /)

# Libraries that Python packages load by name through ctypes: no ELF file records them, so
# dpkg-shlibdeps cannot see them.  Keyed by the top-level module that loads them; applied
# when that module is in the bundle.  (mss's default backend speaks XCB, its fallback Xlib.)
LOADED_BY_NAME: dict[str, tuple[str, ...]] = {
    "mss": ("libxcb1", "libxcb-randr0", "libxcb-render0", "libxcb-shm0", "libxcb-xfixes0",
            "libx11-6", "libxrandr2", "libxfixes3"),
}  # fmt: skip
# Optional features: recommended, so the app still installs and runs without them.
RECOMMENDS_BY_MODULE: dict[str, tuple[str, ...]] = {
    "sounddevice": ("libportaudio2",),  # microphone input for voice commands (PortAudio via ctypes)
}
# Programs optional features run; recommended when the feature's module is bundled.
RECOMMENDS_BY_OUR_MODULE: dict[str, tuple[str, ...]] = {
    "deskhand.voice.speech_out": ("espeak-ng",),  # spoken replies ("Stopping.") on Linux
    # The risk policy reads what a click lands on: OCR of the screenshot, and the desktop's
    # accessibility bus (most desktops already run it).
    "deskhand.vision.inspect.ocr": ("tesseract-ocr",),
    "deskhand.vision.inspect.atspi": ("at-spi2-core",),
}


_STARTED = time.monotonic()


def step(text: str) -> None:
    print(f"\n==> [{time.monotonic() - _STARTED:5.0f} s] {text}", flush=True)


def run(argv: Sequence[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], check=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


# ---- 1. the bundle -------------------------------------------------------------------------


def build_bundle() -> Path:
    step("PyInstaller: one-dir bundle")
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", DIRS.dist, "--workpath", DIRS.pyinstaller, project.SPEC])  # fmt: skip
    return DIRS.dist / project.load().name


def load_manifest() -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (DIRS.pyinstaller / "deskhand" / "bundle-manifest.json").read_text(encoding="utf-8")
    )
    return data


def tree_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


# ---- shared pieces -------------------------------------------------------------------------


def install_icons(share: Path) -> None:
    """The hicolor icon theme layout: sized PNGs and the scalable SVG, named "deskhand"."""
    for size in project.ICON_SIZES:
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{project.ICON_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.icon_png(size), target)
    target = share / "icons" / "hicolor" / "scalable" / "apps" / f"{project.ICON_NAME}.svg"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(project.ICON_SVG, target)


def release_time() -> datetime:
    """SOURCE_DATE_EPOCH, else the last commit's time, else now: stable dates in the package."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        done = subprocess.run(
            ["git", "-C", ROOT, "log", "-1", "--format=%ct"], capture_output=True, text=True, check=False
        )
        epoch = done.stdout.strip() or str(int(time.time()))
    return datetime.fromtimestamp(int(epoch), UTC)


# ---- 2. the portable tarball ----------------------------------------------------------------


def build_tarball(bundle: Path, p: project.Project, level: int) -> Path:
    step("portable tarball")
    top = f"{p.name}-{p.version}-linux-{platform.machine()}"
    stage = DIRS.build / "tarball" / top
    shutil.rmtree(stage.parent, ignore_errors=True)
    shutil.copytree(bundle, stage, symlinks=True)
    (stage / "share" / "applications").mkdir(parents=True)
    shutil.copyfile(project.DESKTOP_ENTRY, stage / "share" / "applications" / "deskhand.desktop")
    install_icons(stage / "share")
    shutil.copy2(LINUX / "install-desktop-entry.sh", stage / "install-desktop-entry.sh")
    out = DIRS.dist / f"{top}.tar.gz"
    mtime = int(release_time().timestamp())

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = mtime
        if not info.issym():
            library = ".so" in Path(info.name).name and info.isfile()
            info.mode = 0o755 if info.isdir() or (info.mode & 0o111 and not library) else 0o644
        return info

    with tarfile.open(out, "w:gz", compresslevel=level) as tar:
        tar.add(stage, arcname=top, filter=normalise)
    return out


# ---- 3. the .deb ---------------------------------------------------------------------------


def man_page(p: project.Project, date: datetime) -> str:
    """deskhand(1), from the CLI's own argparse help so it cannot drift from the commands."""
    from deskhand.app.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    def roff(text: str) -> str:
        lines = text.replace("\\", "\\e").splitlines()
        return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in lines)

    parts = [
        f'.TH DESKHAND 1 "{date:%Y-%m-%d}" "{p.name} {p.version}" "User Commands"',
        ".SH NAME",
        f"{p.name} \\- {roff(p.summary)}",
        ".SH SYNOPSIS",
        ".nf",
        roff(parser.format_usage().removeprefix("usage: ").strip()),
        ".fi",
        ".SH DESCRIPTION",
        "Without a command, \\fBdeskhand\\fR starts the tray app.  Each command below runs in the terminal.",
        ".PP",
        ".nf",
        roff(parser.format_help()),
        ".fi",
        ".SH COMMANDS",
    ]
    for name, command in sub.choices.items():
        parts += [f".SS {name}", ".nf", roff(command.format_help()), ".fi"]
    parts += [
        ".SH EXIT STATUS",
        "0 the task finished; 1 it failed or gave up; 2 usage or set-up error "
        "(the message says what to do); 3 stopped by the user.",
        ".SH FILES",
        ".TP",
        "\\fI~/.config/deskhand/config.toml\\fR",
        "Settings (model, host, step budget ...); \\fBDESKHAND_CONFIG\\fR overrides the path.",
        ".TP",
        "\\fI~/.local/share/deskhand\\fR",
        "The audit log of past tasks (\\fBdeskhand history\\fR).",
    ]
    return "\n".join(parts) + "\n"


def changelog(p: project.Project, date: datetime) -> str:
    return (
        f"{p.name} ({p.version}) unstable; urgency=medium\n\n"
        f"  * Release {p.version}: a bundled build of Deskhand; needs no Python.\n\n"
        f" -- {p.maintainer}  {format_datetime(date)}\n"
    )


def copyright_file(p: project.Project, date: datetime, bundled: Iterable[tuple[str, str, str]]) -> str:
    """DEP-5 copyright: ours, then what the bundle carries, with the licences their metadata names."""
    lines = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        f"Upstream-Name: {p.name}",
        *([f"Source: {p.homepage}"] if p.homepage else []),
        "",
        "Files: *",
        f"Copyright: {date:%Y} Deskhand developers",
        f"License: {p.license or 'Apache-2.0'}",
        " On Debian systems the full text of the Apache License 2.0 is in",
        " /usr/share/common-licenses/Apache-2.0.",
        "",
        f"Files: {INSTALL_DIR}/_internal/*",
        "Copyright: the authors of each bundled component, listed below",
        "License: various",
        " The bundle carries the Python runtime and these Python distributions,",
        " each under the licence its metadata declares:",
        " .",
        *(f" {name} {version}: {licence}" for name, version, licence in sorted(bundled)),
        " .",
        " Qt and PySide6 are used under the LGPL-3.0 as separate shared libraries in",
        f" /{INSTALL_DIR}/_internal/PySide6, which may be replaced. Python is under the",
        " PSF License Agreement. On Debian systems the LGPL-3 text is in",
        " /usr/share/common-licenses/LGPL-3.",
    ]
    return "\n".join(lines) + "\n"


def bundled_distributions(bundle: Path) -> list[tuple[str, str, str]]:
    """(name, version, licence) of each Python distribution whose modules the bundle carries."""
    from importlib.metadata import PackageNotFoundError, metadata, packages_distributions

    modules = set(load_manifest()["modules"])  # type: ignore[arg-type]
    owners = packages_distributions()
    names = sorted({d for m in modules for d in owners.get(m, [])})
    found = []
    for name in names:
        try:
            meta = metadata(name)
        except PackageNotFoundError:
            continue
        licence = meta.get("License-Expression") or ""
        if not licence:
            classifiers = [
                c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
            ]
            licence = (
                ", ".join(classifiers) or (meta.get("License") or "see its metadata").splitlines()[0][:60]
            )
        found.append((name, meta["Version"], licence))
    return found


def _package_of(path: str) -> str | None:
    done = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        real = os.path.realpath(path)
        done = subprocess.run(["dpkg", "-S", real], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    return done.stdout.split(":", 1)[0].split(",")[0].strip()


def _shlibdeps(files: Sequence[Path], options: Sequence[str]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "debian").mkdir()
        (Path(tmp) / "debian" / "control").write_text(
            "Source: deskhand\n\nPackage: deskhand\nArchitecture: any\n", encoding="utf-8"
        )
        done = subprocess.run(
            ["dpkg-shlibdeps", "-O", "--ignore-missing-info", *options, *map(str, files)],
            cwd=tmp, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"dpkg-shlibdeps failed:\n{done.stderr[-3000:]}")
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("shlibs:Depends="))
    return [d.strip() for d in line.removeprefix("shlibs:Depends=").split(",") if d.strip()]


def shlib_depends(stage: Path, executable: str) -> list[str]:
    """dpkg-shlibdeps over every ELF file in the staged tree: the linked system libraries."""
    launcher = stage / INSTALL_DIR / executable
    elves = [
        p
        for p in (stage / INSTALL_DIR).rglob("*")
        if p.is_file() and not p.is_symlink() and p != launcher and _is_elf(p)
    ]
    # Private libraries are named by where they will be installed (-l/opt/deskhand/...), and
    # -S points at the staged tree holding them; then the bundle's own copies (libssl,
    # libffi, ...) count as part of the package, not as system dependencies.
    private = sorted({"/" + p.parent.relative_to(stage).as_posix() for p in elves})
    inside = _shlibdeps(elves, [f"-S{stage}", *(f"-l{d}" for d in private)])
    # The bootloader runs before anything points the loader at the bundle, so what it links
    # (libz) comes from the system even though the bundle has a copy.
    return _merge(inside, _shlibdeps([launcher], []))


def _is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def _merge(depends: Iterable[str], extra: Iterable[str]) -> list[str]:
    """Union by package name; where both name a package, the stricter (versioned) one wins."""
    chosen: dict[str, str] = {}
    for relation in [*depends, *extra]:
        name = re.split(r"[\s(]", relation, maxsplit=1)[0]
        if name not in chosen or ("(" in relation and "(" not in chosen[name]):
            chosen[name] = relation
    return [chosen[name] for name in sorted(chosen)]


def compute_relations(stage: Path, manifest: dict[str, object]) -> tuple[list[str], list[str]]:
    """Depends and Recommends for the staged package (see LOADED_BY_NAME and the spec's notes)."""
    modules = set(manifest["modules"])  # type: ignore[arg-type]
    ours = {str(m) for m in manifest.get("our_modules", [])}  # type: ignore[attr-defined]
    depends = shlib_depends(stage, str(manifest["name"]))
    by_name = [pkg for module, pkgs in LOADED_BY_NAME.items() if module in modules for pkg in pkgs]
    depends = _merge(depends, by_name)
    recommends = sorted(
        {pkg for module, pkgs in RECOMMENDS_BY_MODULE.items() if module in modules for pkg in pkgs}
        | {pkg for module, pkgs in RECOMMENDS_BY_OUR_MODULE.items() if module in ours for pkg in pkgs}
    )
    # Safety net: a system library the build left out that nothing links was loaded by name.
    # Its package must be accounted for above, or the installed app would fail at run time.
    declared = {re.split(r"[\s(]", d, maxsplit=1)[0] for d in depends} | set(recommends)
    missing = []
    for lib in manifest.get("system_libraries", []):  # type: ignore[attr-defined]
        if lib.get("needed_by"):
            continue
        pkg = _package_of(lib["path"])
        if pkg and pkg not in declared:
            missing.append(f"{lib['name']} ({pkg})")
    if missing:
        raise SystemExit(
            "These system libraries are loaded by name but no Depends/Recommends names their "
            f"package: {', '.join(missing)}. Add them to LOADED_BY_NAME or RECOMMENDS_BY_MODULE "
            "in packaging/build_linux.py."
        )
    return depends, recommends


def control_file(
    p: project.Project, arch: str, size_kib: int, depends: list[str], recommends: list[str]
) -> str:
    description = [
        # Debian's synopsis: a noun phrase without an article (pyproject's sentence starts with one).
        "Description: desktop agent driven by a local vision model",
        " Deskhand is a local desktop agent: it takes screenshots, asks a vision model",
        " running on your own machine (through Ollama or an OpenAI-compatible server)",
        " what to do next, and clicks and types for you. Every action gets a risk",
        " verdict first: some run, some ask you, some never run.",
        " .",
        " This package carries its own Python runtime and Qt in /opt/deskhand; it",
        " starts from the applications menu or as `deskhand` on the command line.",
        " The model server (Ollama) is installed separately.",
    ]
    fields = [
        f"Package: {p.name}",
        f"Version: {p.version}",
        f"Architecture: {arch}",
        f"Maintainer: {p.maintainer}",
        f"Installed-Size: {size_kib}",
        f"Depends: {', '.join(depends)}",
        *([f"Recommends: {', '.join(recommends)}"] if recommends else []),
        "Section: utils",
        "Priority: optional",
        *([f"Homepage: {p.homepage}"] if p.homepage else []),
        *description,
    ]
    return "\n".join(fields) + "\n"


def _gzip_bytes(text: str, mtime: int) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=mtime) as gz:
        gz.write(text.encode("utf-8"))
    return buffer.getvalue()


def stage_deb(bundle: Path, p: project.Project, arch: str) -> Path:
    step(".deb: staging")
    stage = DIRS.deb / f"{p.name}_{p.version}_{arch}"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "DEBIAN").mkdir(parents=True)
    shutil.copytree(bundle, stage / INSTALL_DIR, symlinks=True)
    usr = stage / "usr"
    (usr / "bin").mkdir(parents=True)
    # Absolute: Debian policy wants links between top-level directories absolute.  The
    # bootloader resolves its own path through /proc/self/exe, so the link may be used as is.
    (usr / "bin" / p.name).symlink_to(f"/{INSTALL_DIR}/{p.name}")
    (usr / "share" / "applications").mkdir(parents=True)
    shutil.copyfile(project.DESKTOP_ENTRY, usr / "share" / "applications" / f"{p.name}.desktop")
    install_icons(usr / "share")
    date = release_time()
    mtime = int(date.timestamp())
    doc = usr / "share" / "doc" / p.name
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(copyright_file(p, date, bundled_distributions(bundle)), encoding="utf-8")
    (doc / "changelog.gz").write_bytes(_gzip_bytes(changelog(p, date), mtime))
    overrides = usr / "share" / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    shutil.copyfile(LINUX / "lintian-overrides", overrides / p.name)
    man = usr / "share" / "man" / "man1"
    man.mkdir(parents=True)
    (man / f"{p.name}.1.gz").write_bytes(_gzip_bytes(man_page(p, date), mtime))
    # dpkg installs what it is given: make the modes what Debian expects (no group/other write).
    # Shared libraries need no execute bit (the loader maps them), and lintian wants none.
    for path in [stage, *stage.rglob("*")]:
        if path.is_symlink():
            continue
        library = ".so" in path.name and path.is_file()
        executable = path.is_dir() or (path.stat().st_mode & 0o111 and not library)
        path.chmod(0o755 if executable else 0o644)
    return stage


def finish_deb(stage: Path, p: project.Project, arch: str, manifest: dict[str, object]) -> None:
    step(".deb: dependencies (dpkg-shlibdeps) and control file")
    depends, recommends = compute_relations(stage, manifest)
    size_kib = (tree_size(stage) - tree_size(stage / "DEBIAN") + 1023) // 1024
    (stage / "DEBIAN" / "control").write_text(
        control_file(p, arch, size_kib, depends, recommends), encoding="utf-8"
    )
    sums = []
    for path in sorted(stage.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.relative_to(stage).parts:
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            sums.append(f"{digest}  {path.relative_to(stage).as_posix()}")
    (stage / "DEBIAN" / "md5sums").write_text("\n".join(sums) + "\n", encoding="utf-8")
    for name in ("control", "md5sums"):
        (stage / "DEBIAN" / name).chmod(0o644)


def build_deb(stage: Path, p: project.Project, arch: str, level: int) -> Path:
    step(".deb: dpkg-deb")
    out = DIRS.dist / f"{p.name}_{p.version}_{arch}.deb"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(release_time().timestamp()))}
    run(["dpkg-deb", "--root-owner-group", "-Zxz", f"-z{level}", "--build", stage, out], env=env)
    return out


def lintian(deb: Path) -> str | None:
    if shutil.which("lintian") is None:
        print("lintian is not installed; skipping (apt install lintian)")
        return None
    step("lintian")
    # --show-overrides lists the tags we accept too, each with its reason from our overrides file.
    done = subprocess.run(
        ["lintian", "--info", "--show-overrides", "--tag-display-limit", "0", deb],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    report = done.stdout + done.stderr
    (DIRS.deb / "lintian.txt").write_text(report, encoding="utf-8")
    print(report or "lintian: no tags")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--skip-pyinstaller", action="store_true", help="reuse dist/deskhand from the last build"
    )
    parser.add_argument("--no-lintian", action="store_true", help="do not run lintian")
    parser.add_argument("--fast", action="store_true", help="quicker, weaker compression (for tests)")
    parser.add_argument("--dist", type=Path, default=DIRS.dist, help="where the artifacts go (default dist/)")
    parser.add_argument("--build", type=Path, default=DIRS.build, help="work files (default build/)")
    args = parser.parse_args(argv)
    DIRS.dist, DIRS.build = args.dist.resolve(), args.build.resolve()
    p = project.load()
    started = time.monotonic()
    DIRS.dist.mkdir(parents=True, exist_ok=True)
    bundle = DIRS.dist / p.name if args.skip_pyinstaller else build_bundle()
    manifest = load_manifest()
    arch = run(["dpkg", "--print-architecture"], capture_output=True).stdout.strip()
    tarball = build_tarball(bundle, p, level=1 if args.fast else 6)
    stage = stage_deb(bundle, p, arch)
    finish_deb(stage, p, arch, manifest)
    deb = build_deb(stage, p, arch, level=1 if args.fast else 6)
    if not args.no_lintian:
        lintian(deb)
    step(f"done in {time.monotonic() - started:.0f} s")
    for path in (bundle, tarball, deb):
        size = tree_size(path) if path.is_dir() else path.stat().st_size
        print(f"  {path}  {size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
