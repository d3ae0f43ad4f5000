"""Build the fonts bundled for printed sheets from the Noto fonts that Debian packages.

    apt-get install fonts-noto-core fonts-noto-cjk
    pip install fonttools  # and the Noto Emoji font from the manimgx-fonts wheel (OFL, unmodified)
    python resources/fonts/build_fonts.py [--emoji PATH/NotoEmoji[wght].ttf]

Run once by a maintainer; the results are committed, nothing is downloaded at run time.

* Noto Sans, Arabic, Hebrew, Devanagari and Thai (regular and bold) are copied unmodified.
* Noto Sans CJK is OpenType/CFF, which reportlab cannot embed: the JP face is cut down to whole
  blocks (all 11,172 Hangul syllables and the jamo, hiragana and katakana, the 20,992 CJK Unified
  Ideographs of the main block, compatibility ideographs, CJK punctuation and full-width forms;
  not Extension A or later, which would add a third again) and
  its cubic outlines converted to TrueType quadratics. One weight only: bold CJK runs use it.
* Noto Sans Math and Noto Sans Symbols 2 are cut to the symbol blocks Noto Sans lacks (minus sign,
  arrows, comparison signs, check marks).
* Noto Emoji (monochrome, variable) is pinned to its regular instance.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.varLib import instancer

HERE = Path(__file__).resolve().parent
NOTO = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
COPIED = [f"NotoSans{script}-{weight}.ttf" for script in ("", "Arabic", "Hebrew", "Devanagari", "Thai")
          for weight in ("Regular", "Bold")]
CJK_BLOCKS = [
    (0x1100, 0x11FF), (0x3000, 0x303F), (0x3040, 0x309F), (0x30A0, 0x30FF), (0x3130, 0x318F), (0x31F0, 0x31FF),
    (0x3200, 0x32FF), (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7A3), (0xD7B0, 0xD7FF),
    (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20, 0x7E), (0xA0, 0xA0),
]


def to_truetype(font: TTFont) -> None:
    """Replace CFF outlines by TrueType ones (as fontTools' otf2ttf snippet does)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 1
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: 40,000 of them would add 0.7 MB
    font.sfntVersion = "\x00\x01\x00\x00"


def build_cjk(target: Path) -> None:
    font = TTCollection(str(CJK)).fonts[0]  # Noto Sans CJK JP
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["ccmp", "ljmo", "vjmo", "tjmo", "kern", "halt", "palt"]  # no locl/vert copies
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for start, end in CJK_BLOCKS for u in range(start, end + 1)])
    subsetter.subset(font)
    to_truetype(font)
    font.save(str(target))


# Symbols Noto Sans lacks (U+2212 minus, arrows, ≤ ≥, check marks), cut from Noto Sans Math and
# Noto Sans Symbols 2 to the blocks a clinical note uses.
SYMBOL_CUTS = {
    "NotoSansMath-Regular.ttf": ("NotoSansMath-Subset.ttf", [(0x2100, 0x23FF), (0x27C0, 0x27FF), (0x2900, 0x2AFF)]),
    "NotoSansSymbols2-Regular.ttf": ("NotoSansSymbols2-Subset.ttf", [(0x2190, 0x21FF), (0x2300, 0x23FF),
                                                                      (0x2460, 0x27BF), (0x2B00, 0x2BFF)]),
}


def build_symbols() -> None:
    for source, (target, blocks) in SYMBOL_CUTS.items():
        font = TTFont(str(NOTO / source))
        options = subset.Options()
        options.hinting = False
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[u for start, end in blocks for u in range(start, end + 1)] + [0x20, 0xA0])
        subsetter.subset(font)
        font.save(str(HERE / target))


def build_emoji(source: Path, target: Path) -> None:
    font = TTFont(str(source))
    static = instancer.instantiateVariableFont(font, {"wght": 400})
    static.save(str(target))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emoji", type=Path, help="NotoEmoji[wght].ttf")
    parser.add_argument("--cjk-only", action="store_true", help="rebuild only the CJK and symbol cuts")
    parser.add_argument("--symbols-only", action="store_true", help="rebuild only the symbol cuts")
    args = parser.parse_args()
    for name in COPIED if not args.cjk_only else ():
        shutil.copyfile(NOTO / name, HERE / name)
    build_symbols()
    if args.symbols_only:
        return
    build_cjk(HERE / "NotoSansCJK-Subset.ttf")
    if args.emoji:
        build_emoji(args.emoji, HERE / "NotoEmoji-Regular.ttf")


if __name__ == "__main__":
    main()
