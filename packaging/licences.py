"""The licence files a bundle must carry: Python's, every runtime dependency's, Qt's.

Used by ``ptassist.spec``; ``python packaging/licences.py`` lists what would be collected.
Each distribution's own licence files (from its installed metadata) go to ``licenses/<name>/``;
``licenses/README.txt`` names each component with its licence as its metadata declares it.
"""

from __future__ import annotations

import re
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
LICENCE_NAME = re.compile(r"(licen[cs]e|copying|notice|authors)", re.IGNORECASE)
# Distributions that ship no licence file of their own: their licence texts are committed here.
COMMITTED_TEXTS = {"pyside6-essentials": ("LGPL-3.0.txt", "GPL-3.0.txt"),
                   "pyside6-addons": ("LGPL-3.0.txt", "GPL-3.0.txt"),
                   "shiboken6": ("LGPL-3.0.txt", "GPL-3.0.txt")}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(root: str = "ptassist") -> list[metadata.Distribution]:
    """``root`` and everything it needs at run time (extras left out), each once."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = _normal(todo.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional or platform-specific requirement that is not installed
        seen[name] = dist
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            marker = requirement.split(";", 1)
            if len(marker) == 2 and not _marker_holds(marker[1]):
                continue
            todo.append(re.split(r"[\s\[<>=!~;(]", marker[0].strip(), maxsplit=1)[0])
    return [seen[key] for key in sorted(seen)]


def _marker_holds(marker: str) -> bool:
    try:
        from packaging.markers import Marker
    except ImportError:  # without the packaging library, keep the requirement: more licences, not fewer
        return True
    return bool(Marker(marker).evaluate())


def licence_files(dist: metadata.Distribution) -> list[Path]:
    files = [Path(str(dist.locate_file(f))) for f in dist.files or [] if ".dist-info" in str(f)
             and LICENCE_NAME.search(f.name)]
    return [f for f in files if f.is_file()]


def bundle_datas(build_dir: Path) -> list[tuple[str, str]]:
    """(source file, folder in the bundle) pairs for PyInstaller's ``datas``."""
    build_dir.mkdir(parents=True, exist_ok=True)
    datas: list[tuple[str, str]] = []
    lines = ["Components of this ptassist bundle and their licences.",
             "The Qt libraries (PySide6/Qt/lib) are used under the LGPL-3.0 and may be replaced.", ""]
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    lines.append(f"Python {sys.version.split()[0]}: PSF-2.0")
    if python_licence.is_file():
        datas.append((str(python_licence), "licenses/python"))
    for dist in runtime_distributions():
        name = _normal(dist.metadata["Name"])
        declared = dist.metadata.get("License-Expression") or dist.metadata.get("License") or ""
        declared = declared.splitlines()[0] if declared else "see its licence files"
        lines.append(f"{dist.metadata['Name']} {dist.version}: {declared}")
        for path in licence_files(dist):
            datas.append((str(path), f"licenses/{name}"))
        for text in COMMITTED_TEXTS.get(name, ()):
            datas.append((str(HERE / "licenses" / text), f"licenses/{name}"))
    summary = build_dir / "README.txt"
    summary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    datas.append((str(summary), "licenses"))
    return datas


if __name__ == "__main__":
    for source, folder in bundle_datas(Path("build/licences")):
        print(f"{folder}: {source}")
