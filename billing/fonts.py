"""Smaller CJK fonts for the PDFs, cut from Debian's Noto Sans CJK at set-up.

WeasyPrint subsets every font a document uses, keeping glyph IDs, and the time that takes
grows with the font's glyph count: Noto Sans CJK's 65,535 glyphs cost ~40 ms per weight
per document. Each font cut here keeps the characters a region's everyday text uses (the
national standard's first level of ideographs, all kana or hangul of that standard,
punctuation, Latin, currency signs), about 8,000 glyphs and a sixth of that time. The
stylesheet lists the full Noto Sans CJK face after the cut one, so a rare character still
renders with the same design.
"""

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.conf import settings

NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
WEIGHTS = ("Regular", "Bold")
COMMON = [
    *range(0x20, 0x250),  # Latin
    *range(0x2000, 0x2070),  # general punctuation
    *range(0x20A0, 0x20C1),  # currency signs
    *range(0x2100, 0x2150),  # letterlike symbols (№, ™)
    *range(0x3000, 0x3100),  # CJK punctuation, kana
    *range(0xFF00, 0xFFF0),  # full-width forms
]


def _decoded(encoding, leads, trails):
    """The single characters a double-byte `encoding` gives for these byte ranges."""
    found = set()
    for lead in leads:
        for trail in trails:
            try:
                text = bytes([lead, trail]).decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                found.add(ord(text))
    return found


# HarfBuzz's horizontal features. Not `locl` (the region's own forms are the face's
# defaults; other regions' forms nearly double the glyphs) nor the vertical ones.
FEATURES = ["ccmp", "rlig", "liga", "clig", "calt", "rclt", "kern", "dist", "mark", "mkmk"]

# Region: (face in the collection, the characters its cut keeps).
REGIONS = {
    # JIS X 0208 rows 1–47: symbols, kana and the 2,965 level-1 kanji.
    "JP": ("Noto Sans CJK JP", lambda: _decoded("shift_jis", range(0x81, 0x99), range(0x40, 0xFD))),
    # KS X 1001: symbols and its 2,350 hangul syllables (hanja fall back).
    "KR": ("Noto Sans CJK KR", lambda: _decoded("euc_kr", range(0xA1, 0xC9), range(0xA1, 0xFF))),
    # GB 2312: symbols and the 3,755 level-1 hanzi.
    "SC": ("Noto Sans CJK SC", lambda: _decoded("gb2312", range(0xA1, 0xD8), range(0xA1, 0xFF))),
    # Big5: symbols and the 5,401 frequently used characters, for Taiwan and Hong Kong.
    "TC": ("Noto Sans CJK TC", lambda: _decoded("big5", range(0xA1, 0xC7), range(0x40, 0xFF))),
    "HK": ("Noto Sans CJK HK", lambda: _decoded("big5", range(0xA1, 0xC7), range(0x40, 0xFF))),
}


def font_dir():
    return Path(settings.BASE_DIR) / "static" / "fonts"


def font_path(region, weight):
    return font_dir() / f"invoice-cjk-{region.lower()}-{weight.lower()}.otf"


def missing():
    return [(r, w) for r in REGIONS for w in WEIGHTS if not font_path(r, w).exists()]


def build(jobs=2):
    """Cuts the fonts not built yet; returns the paths written."""
    font_dir().mkdir(parents=True, exist_ok=True)
    todo = missing()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_cut, *zip(*todo, strict=True))) if todo else []


def _cut(region, weight):
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    family, characters = REGIONS[region]
    collection = TTCollection(NOTO_CJK.format(weight=weight), lazy=True)
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == family)
    options = subset.Options(
        notdef_outline=True, name_IDs=["*"], name_languages=["*"], layout_features=FEATURES
    )
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=set(COMMON) | characters())
    subsetter.subset(font)
    path = font_path(region, weight)
    partial = path.with_suffix(".part")
    font.save(partial)
    partial.rename(path)  # a killed build leaves no half-written font behind
    return path
