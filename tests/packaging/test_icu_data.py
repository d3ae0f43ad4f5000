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
    return icu_data.write_package(header, [(name, item(name)) for name in names])


def converter(name: str, max_bytes: int) -> bytes:
    """A converter table's start as ICU lays it out: data header, then UConverterStaticData."""
    header = struct.pack("<HBB", 0x20, 0xDA, 0x27) + b"\0" * 8 + b"cvt " + b"\0" * 16
    static = struct.pack("<i", 100) + name.encode("ascii").ljust(60, b"\0") + struct.pack("<ibbbb", 0, 0, 2, 1, max_bytes)
    return header + static + b"\0" * 32


MAX_BYTES = {"gb18030.cnv": 4, "ibm-943_P130-1999.cnv": 2, "ibm-1252_P100-2000.cnv": 1, "ibm-866_P100-1995.cnv": 1}


def item(name: str) -> bytes:
    rest = name.split("/", 1)[1]
    return converter(rest[:-4], MAX_BYTES[rest]) if rest in MAX_BYTES else name.encode("ascii") * 3


KEPT = ["icudt73l/coll/de.res", "icudt73l/coll/root.res", "icudt73l/coll/sr_Latn.res", "icudt73l/root.res",
        "icudt73l/pool.res", "icudt73l/res_index.res", "icudt73l/zoneinfo64.res", "icudt73l/metaZones.res",
        "icudt73l/cnvalias.icu", "icudt73l/ibm-1252_P100-2000.cnv", "icudt73l/ibm-866_P100-1995.cnv",
        "icudt73l/nfkc.nrm"]
NAMES = sorted([*KEPT, "icudt73l/de.res", "icudt73l/sr_Latn_BA.res", "icudt73l/en_US_POSIX.res",
                "icudt73l/unit/de.res", "icudt73l/brkitr/char.brk", "icudt73l/zone/de.res", "icudt73l/zone/root.res",
                "icudt73l/gb18030.cnv", "icudt73l/ibm-943_P130-1999.cnv", "icudt73l/unames.icu",
                "icudt73l/translit/root.res"])


def test_a_package_reads_back_as_written_with_each_item_aligned():
    data = package(NAMES)
    header, items = icu_data.read_package(data)
    assert header == data[:0x90] and [name for name, _ in items] == NAMES
    assert [blob[:len(item(name))] for name, blob in items] == [item(name) for name in NAMES]
    assert icu_data.write_package(header, items) == data
    count = struct.unpack_from("<I", data, 0x90)[0]
    offsets = [struct.unpack_from("<II", data, 0x90 + 4 + 8 * i)[1] for i in range(count)]
    assert all((0x90 + offset) % 16 == 0 for offset in offsets)


def test_slimming_keeps_collation_single_byte_converters_and_zone_rules_and_drops_the_rest():
    """Gone: zone names, main locale files, multi-byte converters, the trees Qt never reads."""
    _, items = icu_data.read_package(icu_data.slim_package(package(NAMES)))
    assert [name for name, _ in items] == sorted(KEPT)


def test_a_converter_table_names_its_bytes_per_character_or_is_refused():
    assert [icu_data.converter_max_bytes(converter("x", n)) for n in (1, 2, 4)] == [1, 2, 4]
    with pytest.raises(icu_data.IcuDataError, match="not an ICU converter table"):
        icu_data.converter_max_bytes(b"ibm-1252" * 3)


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
    assert any("/coll/" in name for name in names) and not [name for name, blob in items
                                                             if icu_data.is_unused(name, blob)]
    converters = {name.split("/")[-1]: icu_data.converter_max_bytes(blob) for name, blob in items
                  if name.endswith(".cnv")}
    assert converters["ibm-1252_P100-2000.cnv"] == 1 and set(converters.values()) == {1}
    assert "gb18030.cnv" not in converters and not [name for name in names if "/zone/" in name]
    assert {"icudt73l/root.res", "icudt73l/zoneinfo64.res"} <= set(names) and "icudt73l/de.res" not in names


def test_only_the_data_library_is_replaced_in_the_bundle_list(tmp_path, monkeypatch):
    monkeypatch.setattr(icu_data, "slim_icu_library", lambda library, work: work / ("slim-" + library.name))
    entries = [("PySide6/Qt/lib/libicudata.so.73", "/w/libicudata.so.73", "BINARY"),
               ("libicudata.so.73", "PySide6/Qt/lib/libicudata.so.73", "SYMLINK"),
               ("PySide6/Qt/lib/libicuuc.so.73", "/w/libicuuc.so.73", "BINARY")]
    assert icu_data.slim_icu_entries(entries, tmp_path) == [
        ("PySide6/Qt/lib/libicudata.so.73", str(tmp_path / "slim-libicudata.so.73"), "BINARY"), *entries[1:]]
