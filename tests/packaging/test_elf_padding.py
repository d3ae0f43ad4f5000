"""Closing the zero padding patchelf leaves in a library: smaller, and it loads and answers the same."""

from __future__ import annotations

import ctypes
import struct
import subprocess
from pathlib import Path

import pytest

from .helpers import ROOT, load_packaging_module, tool

elf_padding = load_packaging_module("elf_padding")


def padded_library() -> Path:
    """Pillow's libXau from the venv: a 2 MiB-aligned segment added by auditwheel's patchelf."""
    found = next((ROOT / ".venv").glob("lib/python3*/site-packages/pillow.libs/libXau-*.so*"), None)
    if found is None:
        pytest.skip("no Pillow libXau in .venv (Linux wheels only)")
    return found


def xau_file_name(library: Path) -> bytes:
    xau = ctypes.CDLL(str(library))
    xau.XauFileName.restype = ctypes.c_char_p
    return xau.XauFileName()


def test_the_padded_library_shrinks_and_still_loads_and_answers(tmp_path):
    original = padded_library()
    data = original.read_bytes()
    start, end = elf_padding.padding_gap(data)
    assert end - start > 1_900_000
    compact = tmp_path / original.name
    compact.write_bytes(elf_padding.compact_bytes(data))
    assert compact.stat().st_size == len(data) - (end - start)
    assert elf_padding.padding_gap(compact.read_bytes()) is None
    assert xau_file_name(compact) == xau_file_name(original)
    readelf = subprocess.run([tool("readelf"), "-lSdW", str(compact)], capture_output=True, text=True, check=True)
    assert "Warning" not in readelf.stderr and "libXau" in readelf.stdout  # SONAME still found at its address


def contents(data: bytes) -> tuple[list[bytes], list[tuple[int, ...]]]:
    """Every section's bytes, and every segment's (type, address, sizes, bytes): what the loader
    reads, but for the ELF, program and section headers, whose file offsets move by design (patchelf
    put the section table inside the last segment)."""
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phnum, shnum = struct.unpack_from("<H", data, 0x38)[0], struct.unpack_from("<H", data, 0x3C)[0]
    unheaded = bytearray(data)
    for start, size in ((0, 64), (phoff, 56 * phnum), (shoff, 64 * shnum)):
        unheaded[start:start + size] = bytes(size)
    sections = []
    for index in range(shnum):
        kind, offset, size = (struct.unpack_from("<IIQQQQ", data, shoff + 64 * index)[i] for i in (1, 4, 5))
        sections.append(b"" if kind == 8 else data[offset:offset + size])
    segments = []
    for index in range(phnum):
        kind, _flags, offset, vaddr, _paddr, filesz, memsz, _align = struct.unpack_from("<IIQQQQQQ", data,
                                                                                          phoff + 56 * index)
        segments.append((kind, vaddr, filesz, memsz, (vaddr - offset) % 4096, bytes(unheaded[offset:offset + filesz])))
    return sections, segments


def test_every_section_and_segment_reads_the_same_bytes_after_compaction():
    original = padded_library().read_bytes()
    compact = elf_padding.compact_bytes(original)
    assert len(compact) < len(original) // 10
    assert contents(compact) == contents(original)
    assert [segment[4] for segment in contents(compact)[1] if segment[0] == 1] == [0, 0, 0]


def test_a_library_without_padding_is_unchanged_and_not_elf_is_refused(tmp_path):
    source = tmp_path / "tiny.c"
    source.write_text("int answer(void) { return 42; }\n", encoding="ascii")
    library = tmp_path / "libtiny.so"
    subprocess.run([tool("cc"), "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    assert elf_padding.padding_gap(library.read_bytes()) is None
    entries = [("lib/libtiny.so", str(library), "BINARY"), ("lib/libXau.so.6", str(padded_library()), "BINARY"),
               ("libXau.so.6", "lib/libXau.so.6", "SYMLINK"), ("data/notes.txt", str(source), "DATA")]
    compacted = elf_padding.compact_entries(entries, tmp_path / "work")
    assert [compacted[0], *compacted[2:]] == [entries[0], *entries[2:]]
    assert compacted[1][::2] == entries[1][::2] and Path(compacted[1][1]).stat().st_size < 100_000
    with pytest.raises(elf_padding.ElfError, match="not an ELF64"):
        elf_padding.padding_gap(b"%PDF-1.7" + b"\0" * 100)
