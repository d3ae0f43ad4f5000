"""Locate and read the data files in ``resources/``.

In a source checkout (or an editable install) they sit at the top of the repository; an
installed wheel carries them as ``ptassist/_resources``. Both are found without the caller
knowing which.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ptassist.core.errors import ResourceError

if TYPE_CHECKING:  # importlib.resources and tomllib load when first used: the app's first window needs neither
    from importlib.resources.abc import Traversable


@cache
def resources_root() -> Traversable:
    """The folder holding ``clinical/``, ``exercises/`` and the other resource folders."""
    from importlib import resources as importlib_resources

    packaged = importlib_resources.files("ptassist") / "_resources"
    if packaged.is_dir():
        return packaged
    source_tree = Path(__file__).resolve().parents[2] / "resources"
    if source_tree.is_dir():
        return source_tree
    raise ResourceError(str(source_tree), "-", "resource folder not found (broken installation)")


def resource_path(*parts: str) -> Traversable:
    """A file or folder inside the resources, e.g. ``resource_path("clinical", "ruleset.toml")``."""
    node = resources_root()
    for part in parts:
        node = node / part
    return node


def load_toml(*parts: str) -> dict[str, Any]:
    """Read one TOML resource; a syntax error is reported with the file name."""
    import tomllib

    node = resource_path(*parts)
    name = "/".join(parts)
    try:
        return tomllib.loads(node.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResourceError(name, "-", "file missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ResourceError(name, "-", f"not valid TOML ({exc})") from exc
