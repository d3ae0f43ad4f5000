"""A smaller ICU data library for the bundle: only the parts of ICU's data that Qt uses.

Qt's libQt6Core links ICU (the PySide6 wheel's libicudata.so.73 is 32 MB, a fifth of the bundle),
and calls exactly three ICU services that read data: collation (``ucol_*``: QCollator, which also
sorts file dialogs), character-set converters (``ucnv_*``: QStringConverter beyond UTF-8/16/32 and
Latin-1) and time-zone names (``ucal_getTimeZoneDisplayName``: QTimeZone::displayName). Case
mapping and normalisation are compiled into libicuuc. Qt's locales, number and date formats are
its own (CLDR data inside QtCore), so ICU's trees for units, currencies, language and region
names, number spell-out, transliteration and break iteration are never read; they go. Every
locale's collation stays (no script loses its sort order).

What else goes, because ptassist never asks for it (issue 13, to keep the bundle under 150 MB):

- time-zone display names (the ``zone/`` tree) and the main locale files (``de.res``, ...: ICU's
  own date and number formats, which ICU reads only to format such a name). ptassist shows no
  time-zone name: no QTimeZone in the window, and Qt's own date and time strings come from
  QtCore's CLDR data (a zone abbreviation from the system's tz files). QTimeZone.displayName
  answers ICU's fallback ("GMT+01:00") in the bundle.
- the multi-byte legacy converters (Shift_JIS, GB18030, Big5, EUC-*, ISO-2022's tables, EBCDIC
  DBCS: 4.7 MB). ptassist reads and writes only UTF-8 (Python's own codecs, not ICU), and Qt
  decodes UTF-8/16/32 and Latin-1 without ICU. The single-byte converters (Latin, Greek,
  Cyrillic, Arabic, Hebrew, Thai code pages: 0.4 MB) stay.

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
UNUSED_ITEMS = ("brkitr/", "curr/", "lang/", "region/", "unit/", "translit/", "rbnf/", "unames.icu", "zone/")
# A main locale file: "de.res", "sr_Latn_BA.res", "en_US_POSIX.res" (root.res, the fallback, stays).
_MAIN_LOCALE = re.compile(r"(?!res_index\.)[a-z]{2,3}(_[A-Za-z0-9]+)*\.res")
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


def converter_max_bytes(blob: bytes) -> int:
    """Bytes per character at most of a converter table (.cnv): 1 for a single-byte code page.

    The item's data header is followed by ICU's UConverterStaticData (structSize, name[60],
    codepage, platform, conversionType, minBytesPerChar, maxBytesPerChar, ...).
    """
    header_size = struct.unpack_from("<H", blob, 0)[0] if len(blob) >= 2 else 0
    if len(blob) < header_size + 72 or blob[2:4] != b"\xda\x27":
        raise IcuDataError("not an ICU converter table")
    return blob[header_size + 71]


def is_unused(name: str, blob: bytes | None = None) -> bool:
    """True for an item ptassist never reads (``name`` as in the package: "icudt73l/unit/de.res";
    a converter's table ``blob`` says whether it is multi-byte)."""
    rest = name.split("/", 1)[-1]
    if rest.endswith(".cnv") and blob is not None:
        return converter_max_bytes(blob) > 1
    return rest.startswith(UNUSED_ITEMS) or _MAIN_LOCALE.fullmatch(rest) is not None


def slim_package(data: bytes) -> bytes:
    header, items = read_package(data)
    return write_package(header, [(name, blob) for name, blob in items if not is_unused(name, blob)])


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
