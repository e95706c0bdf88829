"""The Chinese font the approval form is printed in, for the PDF and the HTML alike.

Noto Serif SC (SIL Open Font License 1.1) comes with the `pylopdf-fonts-zh-cn` package,
a regular dependency of fzjj: a machine with no Chinese font of its own still prints the
form correctly. fpdf2 embeds the glyphs it uses in the PDF; for the HTML form,
``font_face_css`` cuts the font down to the characters of the page (fontTools) and inlines
it as a ``data:`` URL, so the page shows the same glyphs in any browser, offline.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

#: The CSS family name of the inlined font; form.css lists it first.
FORM_FONT_FAMILY = "fzjj-form-serif"


def serif_path() -> Path:
    """The OpenType file of Noto Serif SC that fzjj installs."""
    from pylopdf_fonts_zh_cn import serif_path as packaged

    return Path(packaged())


def subset_font(text: str) -> bytes:
    """Noto Serif SC cut down to the characters of `text` (OpenType/CFF bytes).

    The bytes depend only on `text`: the font's modification date is kept as shipped, so
    the same page gives the same file.
    """
    from fontTools import subset

    options = subset.Options()
    options.hinting = False
    options.layout_features = []  # horizontal CJK needs no substitutions; a third faster
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    font = subset.load_font(str(serif_path()), options, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in text if c.isprintable()}))
    subsetter.subset(font)
    font.recalcTimestamp = False
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule carrying the subset for `text` inline (no file, no network)."""
    data = base64.b64encode(subset_font(text)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FORM_FONT_FAMILY}"; font-style: normal; '
        f'font-weight: normal; src: url(data:font/otf;base64,{data}) format("opentype"); }}\n'
    )
