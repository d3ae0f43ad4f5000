"""The slim ICU data library: the package format read and written again, the unused trees left out."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from .helpers import ROOT, load_packaging_module, tool

icu_data = load_packaging_module("icu_data")


def package(names: list[str]) -> bytes:
    """A small common data package in ICU's layout (0x90-byte header, TOC, names, 16-aligned items)."""
    header = struct.pack("<HBB", 0x90, 0xDA, 0x27) + struct.pack("<HHBBBB", 0x14, 0, 0, 0, 2, 0) + b"CmnD\x01\0\0\0"
    header += b"\0" * (0x90 - len(header))
    return icu_data.write_package(header, [(name, name.encode("ascii") * 3) for name in names])


NAMES = sorted(["icudt73l/coll/de.res", "icudt73l/coll/root.res", "icudt73l/de.res", "icudt73l/unit/de.res",
                "icudt73l/brkitr/char.brk", "icudt73l/zone/de.res", "icudt73l/cnvalias.icu",
                "icudt73l/gb18030.cnv", "icudt73l/unames.icu", "icudt73l/translit/root.res"])


def test_a_package_reads_back_as_written_with_each_item_aligned():
    data = package(NAMES)
    header, items = icu_data.read_package(data)
    assert header == data[:0x90] and [name for name, _ in items] == NAMES
    assert [blob[:len(name) * 3] for name, blob in items] == [name.encode("ascii") * 3 for name in NAMES]
    assert icu_data.write_package(header, items) == data
    count = struct.unpack_from("<I", data, 0x90)[0]
    offsets = [struct.unpack_from("<II", data, 0x90 + 4 + 8 * i)[1] for i in range(count)]
    assert all((0x90 + offset) % 16 == 0 for offset in offsets)


def test_slimming_keeps_collation_converters_zones_and_locales_and_drops_the_rest():
    _, items = icu_data.read_package(icu_data.slim_package(package(NAMES)))
    assert [name for name, _ in items] == sorted([
        "icudt73l/coll/de.res", "icudt73l/coll/root.res", "icudt73l/de.res", "icudt73l/zone/de.res",
        "icudt73l/cnvalias.icu", "icudt73l/gb18030.cnv"])


def test_not_a_package_or_unsorted_items_are_refused_with_a_clear_message():
    with pytest.raises(icu_data.IcuDataError, match="not an ICU common data package"):
        icu_data.read_package(b"\x7fELF" + b"\0" * 200)
    header, items = icu_data.read_package(package(NAMES))
    with pytest.raises(icu_data.IcuDataError, match="sorted"):
        icu_data.write_package(header, list(reversed(items)))


def test_the_wheel_library_slims_to_a_library_with_the_same_name_and_symbol(tmp_path):
    tool("cc"), tool("readelf")
    wheel = next((ROOT / ".venv").glob("lib/python3*/site-packages/PySide6/Qt/lib/libicudata.so.*"), None)
    if wheel is None:
        pytest.skip("no PySide6 ICU library in .venv (Linux wheels only)")
    slim = icu_data.slim_icu_library(wheel, tmp_path)
    assert slim.name == wheel.name and slim.stat().st_size < wheel.stat().st_size * 0.6
    symbol, offset, size = icu_data._data_symbol(slim)
    assert (symbol, icu_data._soname(slim)) == (icu_data._data_symbol(wheel)[0], wheel.name)
    with Path(slim).open("rb") as file:
        file.seek(offset)
        _, items = icu_data.read_package(file.read(size))
    names = [name for name, _ in items]
    assert any("/coll/" in name for name in names) and any(name.endswith(".cnv") for name in names)
    assert not [name for name in names if icu_data.is_unused(name)]


def test_only_the_data_library_is_replaced_in_the_bundle_list(tmp_path, monkeypatch):
    monkeypatch.setattr(icu_data, "slim_icu_library", lambda library, work: work / ("slim-" + library.name))
    entries = [("PySide6/Qt/lib/libicudata.so.73", "/w/libicudata.so.73", "BINARY"),
               ("libicudata.so.73", "PySide6/Qt/lib/libicudata.so.73", "SYMLINK"),
               ("PySide6/Qt/lib/libicuuc.so.73", "/w/libicuuc.so.73", "BINARY")]
    assert icu_data.slim_icu_entries(entries, tmp_path) == [
        ("PySide6/Qt/lib/libicudata.so.73", str(tmp_path / "slim-libicudata.so.73"), "BINARY"), *entries[1:]]
