"""Shared libraries without the zero padding a relinking tool left between their segments.

auditwheel's patchelf, when a wheel's library needs a longer RPATH or NEEDED name, puts the
dynamic tables in a new segment aligned to 2 MiB: Pillow's libXau is 10 KB of code and 2.1 MB of
padding (zeros, and the stale section table patchelf replaced). The loader only needs each
segment's file offset to agree with its address modulo the page size, so a gap that no header,
segment or section refers to can close down to a 64 KiB boundary (a multiple of every Linux page
size): ``compact_bytes`` moves the later part of the file down and corrects the offsets in the
ELF, program and section headers; nothing else in an ELF file refers to file offsets. Used by
``ptassist.spec`` (ELF64 little-endian, the Linux bundle).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

PAGE = 0x10000  # 64 KiB: a multiple of every Linux page size (4, 16 and 64 KiB)
_PT_LOAD, _SHT_NOBITS = 1, 8
_PHDR, _SHDR = struct.Struct("<IIQQQQQQ"), struct.Struct("<IIQQQQIIQQ")


class ElfError(ValueError):
    """The file is not an ELF64 little-endian file."""


def _headers(data: bytes) -> tuple[int, int, int, int]:
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ElfError("not an ELF64 little-endian file")
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phnum, shnum = struct.unpack_from("<H", data, 0x38)[0], struct.unpack_from("<H", data, 0x3C)[0]
    return phoff, phnum, shoff, shnum


def _extents(data: bytes) -> list[tuple[int, int]]:
    """(start, end) in the file of the headers, every segment and every section with bytes."""
    phoff, phnum, shoff, shnum = _headers(data)
    spans = [(0, 64), (phoff, phoff + phnum * _PHDR.size), (shoff, shoff + shnum * _SHDR.size)]
    for index in range(phnum):
        fields = _PHDR.unpack_from(data, phoff + index * _PHDR.size)
        spans.append((fields[2], fields[2] + fields[5]))
    for index in range(shnum):
        fields = _SHDR.unpack_from(data, shoff + index * _SHDR.size)
        if fields[1] != _SHT_NOBITS:
            spans.append((fields[4], fields[4] + fields[5]))
    return [(start, end) for start, end in spans if end > start]


def padding_gap(data: bytes) -> tuple[int, int] | None:
    """The largest gap before a loaded segment that can close, as (from, to) file offsets: bytes
    [from, to) would go, none of them referred to. None when no gap of 64 KiB or more is there."""
    phoff, phnum, _shoff, _shnum = _headers(data)
    spans, best = _extents(data), None
    for index in range(phnum):
        kind, _flags, offset = _PHDR.unpack_from(data, phoff + index * _PHDR.size)[:3]
        if kind != _PT_LOAD or any(start < offset < end for start, end in spans):
            continue
        before = max((end for start, end in spans if start < offset), default=0)
        target = before + (offset - before) % PAGE
        if offset - target >= PAGE and (
                best is None or offset - target > best[1] - best[0]):
            best = (target, offset)
    return best


def _moved(offset: int, gap: tuple[int, int]) -> int:
    return offset - (gap[1] - gap[0]) if offset >= gap[1] else offset


def compact_bytes(data: bytes) -> bytes:
    """``data`` with its padding gaps closed (unchanged when it has none)."""
    while (gap := padding_gap(data)) is not None:
        start, end = gap
        out = bytearray(data[:start] + data[end:])
        phoff, phnum, shoff, shnum = _headers(data)
        phoff, shoff = _moved(phoff, gap), _moved(shoff, gap)
        struct.pack_into("<QQ", out, 0x20, phoff, shoff)
        for index in range(phnum):
            at = phoff + index * _PHDR.size
            fields = list(_PHDR.unpack_from(out, at))
            fields[2] = _moved(fields[2], gap)
            if fields[0] == _PT_LOAD and fields[7] > PAGE and (fields[3] - fields[2]) % fields[7]:
                fields[7] = PAGE  # the segment keeps its offset-to-address agreement per page
            _PHDR.pack_into(out, at, *fields)
        for index in range(shnum):
            at = shoff + index * _SHDR.size
            fields = list(_SHDR.unpack_from(out, at))
            fields[4] = _moved(fields[4], gap)
            _SHDR.pack_into(out, at, *fields)
        data = bytes(out)
    return data


_LIBRARY = re.compile(r"\.so(\.\d+)*$")


def compact_entries(binaries: list[tuple[str, str, str]], work: Path) -> list[tuple[str, str, str]]:
    """The bundle's binaries, each shared library with a padding gap replaced by a compact copy
    in ``work`` (links and libraries without a gap as they are)."""
    result = []
    for dest, source, kind in binaries:
        data = Path(source).read_bytes() if kind != "SYMLINK" and _LIBRARY.search(dest) else b""
        if data[:4] == b"\x7fELF" and padding_gap(data) is not None:
            copy = work / dest
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(compact_bytes(data))
            copy.chmod(Path(source).stat().st_mode)
            result.append((dest, str(copy), kind))
        else:
            result.append((dest, source, kind))
    return result
