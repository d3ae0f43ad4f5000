"""A smaller ICU data library for the bundle: only the parts of ICU's data that Qt uses.

Qt's libQt6Core links ICU (the PySide6 wheel's libicudata.so.73 is 32 MB, a fifth of the bundle),
and calls exactly three ICU services that read data: collation (``ucol_*``: QCollator, which also
sorts file dialogs), character-set converters (``ucnv_*``: QStringConverter beyond UTF-8/16/32 and
Latin-1) and time-zone names (``ucal_getTimeZoneDisplayName``: QTimeZone::displayName). Case
mapping and normalisation are compiled into libicuuc. Qt's locales, number and date formats are
its own (CLDR data inside QtCore), so ICU's trees for units, currencies, language and region
names, number spell-out, transliteration and break iteration are never read; they go, every
locale's collation, converter and time-zone data stay (no script loses its sort order).

The library is ICU's common data package (format "CmnD": a header, a sorted table of contents,
the items) exported as one symbol, ``icudtNN_dat``. ``slim_icu_library`` reads that package out
of the wheel's library, writes it again without the unused items, and links a library of the
same name and symbol around it (binutils and a C compiler driver, ``cc``). Used by ``ptassist.spec``.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

# Items whose name (inside the package, after "icudtNNl/") starts with one of these are left out.
UNUSED_ITEMS = ("brkitr/", "curr/", "lang/", "region/", "unit/", "translit/", "rbnf/", "unames.icu")
_ALIGN = 16


class IcuDataError(ValueError):
    """The file is not an ICU common data package this module understands."""


def read_package(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Split a common data package into its header and its (name, bytes) items, in TOC order."""
    if len(data) < 32 or data[2:4] != b"\xda\x27" or data[12:16] != b"CmnD":
        raise IcuDataError("not an ICU common data package (no CmnD header)")
    header_size = struct.unpack_from("<H", data, 0)[0]
    count = struct.unpack_from("<I", data, header_size)[0]
    toc = [struct.unpack_from("<II", data, header_size + 4 + 8 * i) for i in range(count)]
    items = []
    for index, (name_offset, data_offset) in enumerate(toc):
        start = header_size + name_offset
        name = data[start:data.index(b"\0", start)].decode("ascii")
        end = header_size + toc[index + 1][1] if index + 1 < count else len(data)
        items.append((name, data[header_size + data_offset:end]))
    return data[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """The package holding ``items`` (names sorted as ICU's binary search expects)."""
    names = [name for name, _ in items]
    if names != sorted(names):
        raise IcuDataError("package items must be sorted by name")
    toc_size = 4 + 8 * len(items)
    name_block = b"".join(name.encode("ascii") + b"\0" for name in names)
    name_offsets, offset = [], toc_size
    for name in names:
        name_offsets.append(offset)
        offset += len(name) + 1
    body = bytearray(name_block)
    data_offsets = []
    for _, blob in items:
        # Each item starts aligned (its own header is read in place); offsets count from the TOC.
        body += b"\xaa" * (-(len(header) + toc_size + len(body)) % _ALIGN)
        data_offsets.append(toc_size + len(body))
        body += blob
    toc = struct.pack("<I", len(items)) + b"".join(
        struct.pack("<II", n, d) for n, d in zip(name_offsets, data_offsets, strict=True))
    return header + toc + bytes(body)


def is_unused(name: str) -> bool:
    """True for an item Qt never reads (``name`` as in the package: "icudt73l/unit/de.res")."""
    return name.split("/", 1)[-1].startswith(UNUSED_ITEMS)


def slim_package(data: bytes) -> bytes:
    header, items = read_package(data)
    return write_package(header, [(name, blob) for name, blob in items if not is_unused(name)])


def _run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _data_symbol(library: Path) -> tuple[str, int, int]:
    """The package symbol's name, file offset and size in ``library`` (from readelf)."""
    symbols = _run(["readelf", "-sW", "--dyn-syms", str(library)])
    found = re.search(r"^\s*\d+:\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+\d+\s+(icudt\d+_dat)\s*$",
                      symbols, re.MULTILINE)
    if not found:
        raise IcuDataError(f"{library.name} exports no icudtNN_dat symbol")
    address, size, name = int(found.group(1), 16), int(found.group(2), 0), found.group(3)
    for line in _run(["readelf", "-lW", str(library)]).splitlines():
        fields = line.split()
        if fields[:1] == ["LOAD"]:
            offset, vaddr, filesz = int(fields[1], 16), int(fields[2], 16), int(fields[4], 16)
            if vaddr <= address < vaddr + filesz:
                return name, offset + address - vaddr, size
    raise IcuDataError(f"{library.name}: {name} lies in no loaded segment")


def _soname(library: Path) -> str:
    found = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", _run(["readelf", "-dW", str(library)]))
    return found.group(1) if found else library.name


def slim_icu_library(library: Path, work: Path) -> Path:
    """Build ``work/<name>``: ``library`` (libicudataNN) with the unused items left out."""
    symbol, offset, size = _data_symbol(library)
    with library.open("rb") as file:
        file.seek(offset)
        package = slim_package(file.read(size))
    work.mkdir(parents=True, exist_ok=True)
    (work / "icudata.dat").write_bytes(package)
    source = work / "icudata.S"
    source.write_text(
        "\t.section .rodata\n\t.balign 16\n"
        f"\t.globl {symbol}\n\t.type {symbol}, @object\n{symbol}:\n"
        f'\t.incbin "{(work / "icudata.dat").as_posix()}"\n\t.size {symbol}, . - {symbol}\n'
        '\t.section .note.GNU-stack,"",@progbits\n', encoding="ascii")
    output = work / library.name
    _run(["cc", "-shared", "-nostdlib", f"-Wl,-soname,{_soname(library)}", "-Wl,--build-id", "-o", str(output),
          str(source)])
    _run(["strip", "--strip-unneeded", str(output)])
    return output


# (destination name, source path, kind): PyInstaller's TOC entries.
Entry = tuple[str, str, str]
_ICU_DATA = re.compile(r"(^|/)libicudata\.so\.\d+$")


def slim_icu_entries(binaries: list[Entry], work: Path) -> list[Entry]:
    """The bundle's binaries with each ICU data library (not its links) replaced by a slim build."""
    missing = [tool for tool in ("cc", "readelf", "strip") if shutil.which(tool) is None]
    if missing and any(_ICU_DATA.search(dest) for dest, _source, _kind in binaries):
        raise SystemExit(f"the slim ICU library needs {' and '.join(missing)}: install gcc and binutils "
                         "(Debian/Ubuntu: apt-get install gcc binutils; Fedora: dnf install gcc binutils)")
    return [(dest, str(slim_icu_library(Path(source), work)), kind)
            if _ICU_DATA.search(dest) and kind != "SYMLINK" else (dest, source, kind)
            for dest, source, kind in binaries]
