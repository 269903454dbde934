"""Render assets/deskhand.svg to the PNG sizes, the Windows .ico and the macOS .icns.

    .venv/bin/python packaging/render_icons.py        (re-run after editing the SVG; commit the output)

Why the rendered files are committed instead of made at build time: the Windows and macOS
CI jobs and the Inno Setup compiler then need nothing but the files, and a reviewer sees the
pixels that ship.  Qt's own SVG renderer (QtSvg, part of PySide6-Essentials) does the
drawing, so no extra tool (rsvg, Inkscape) is needed; Pillow, already a dependency, packs
the .ico and .icns.
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed to render

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer


def _project():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "deskhand_packaging_project", Path(__file__).with_name("project.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


project = _project()

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # what Windows asks an .ico for
ICNS_SIZES = (16, 32, 64, 128, 256, 512)  # Pillow writes the @2x variants from these


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    """One square rendering, antialiased, on a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(project.ICON_SVG))
    if not renderer.isValid():
        print(f"cannot parse {project.ICON_SVG}", file=sys.stderr)
        return 1
    sizes = sorted({*project.ICON_SIZES, *ICO_SIZES, *ICNS_SIZES, 1024})
    images = {size: render(renderer, size) for size in sizes}
    for size in project.ICON_SIZES:
        out = project.icon_png(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        images[size].save(out, optimize=True)
        print(f"wrote {out.relative_to(project.ROOT)}")
    biggest = images[max(ICO_SIZES)]
    biggest.save(
        project.ICON_ICO,
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    print(f"wrote {project.ICON_ICO.relative_to(project.ROOT)}")
    images[1024].save(project.ICON_ICNS, append_images=[images[s] for s in ICNS_SIZES])
    print(f"wrote {project.ICON_ICNS.relative_to(project.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
