"""A clean default badge for a micro-credential that has no image of its own (no Django): a
round seal in the platform's blue with the title and the institution, laid out once and drawn
both as PNG (Pillow, Source Sans Pro from its package, so accents render on any machine) and as
SVG (real text, so it stays sharp and readable by assistive technology). And an SVG that wraps
an uploaded PNG, so every badge can be baked both ways."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape, quoteattr

import font_source_sans_pro
from PIL import Image, ImageDraw, ImageFont

SIZE = 600
BRAND = "#0b5394"
BRAND_DARK = "#073763"
INK_ON_BRAND = "#ffffff"
TINT = "#e8f0f8"
FONT_FAMILY = "'Source Sans Pro', 'Source Sans 3', Arial, sans-serif"
TITLE_SIZES = (50, 44, 38, 33, 29)  # the largest that fits wins
TITLE_WIDTH = 400  # the widest a title line may be, in pixels of the 600-px badge
MAX_TITLE_LINES = 4
INSTITUTION_SIZE = 24
INSTITUTION_WIDTH = 340


@dataclass(frozen=True)
class Line:
    text: str
    y: float  # the baseline
    size: int
    bold: bool


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    name = "SourceSansProBold" if bold else "SourceSansProSemibold"
    return ImageFont.truetype(font_source_sans_pro.font_files_ttf[name], size)


def _wrap(text: str, size: int, bold: bool, width: int) -> list[str]:
    """Words into lines no wider than `width`; a word wider than a line is cut with an ellipsis."""
    font = _font(size, bold)
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            while font.getlength(word) > width and len(word) > 1:
                word = word[:-2] + "…"
            lines.append(word)
    return lines


def _fit(text: str, sizes, bold: bool, width: int, max_lines: int) -> tuple[int, list[str]]:
    for size in sizes:
        lines = _wrap(text, size, bold, width)
        if len(lines) <= max_lines:
            return size, lines
    size = sizes[-1]
    lines = _wrap(text, size, bold, width)[:max_lines]
    lines[-1] = lines[-1].rstrip(".…") + "…"
    return size, lines


def layout(title: str, institution: str) -> list[Line]:
    """The badge's lines of text, centred on the seal: the title, a rule's gap, the
    institution. The same layout for PNG and SVG."""
    title_size, title_lines = _fit(title or "—", TITLE_SIZES, True, TITLE_WIDTH, MAX_TITLE_LINES)
    institution_size, institution_lines = _fit(
        institution, (INSTITUTION_SIZE, 21), False, INSTITUTION_WIDTH, 2
    )
    title_step = round(title_size * 1.12)
    institution_step = round(institution_size * 1.2)
    height = len(title_lines) * title_step + 40 + len(institution_lines) * institution_step
    y = (SIZE - height) / 2 + title_size * 0.85
    lines = []
    for text in title_lines:
        lines.append(Line(text, y, title_size, True))
        y += title_step
    y += 40 - title_step + institution_size * 0.85 + 6
    for text in institution_lines:
        lines.append(Line(text, y, institution_size, False))
        y += institution_step
    return lines


def default_png(title: str, institution: str) -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=BRAND_DARK)
    draw.ellipse((28, 28, SIZE - 28, SIZE - 28), fill=BRAND, outline=TINT, width=6)
    lines = layout(title, institution)
    for line in lines:
        draw.text(
            (SIZE / 2, line.y),
            line.text,
            font=_font(line.size, line.bold),
            fill=INK_ON_BRAND if line.bold else TINT,
            anchor="ms",
        )
    rule_y = _rule_y(lines)
    draw.line((SIZE / 2 - 60, rule_y, SIZE / 2 + 60, rule_y), fill=TINT, width=3)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _rule_y(lines: list[Line]) -> float:
    last_title = max(line.y for line in lines if line.bold)
    first_other = min((line.y for line in lines if not line.bold), default=last_title + 40)
    return (last_title + first_other) / 2 - 6


def default_svg(title: str, institution: str, language: str = "") -> str:
    lines = layout(title, institution)
    rule_y = _rule_y(lines)
    texts = "\n".join(
        f'  <text x="{SIZE // 2}" y="{line.y:.1f}" font-size="{line.size}" '
        f'font-weight="{700 if line.bold else 600}" '
        f'fill="{INK_ON_BRAND if line.bold else TINT}">{escape(line.text)}</text>'
        for line in lines
    )
    lang = f" xml:lang={quoteattr(language)}" if language else ""
    label = f"{title} — {institution}" if institution else title
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label={quoteattr(label)}{lang}>\n'
        f"  <title>{escape(label)}</title>\n"
        f'  <circle cx="300" cy="300" r="292" fill="{BRAND_DARK}"/>\n'
        f'  <circle cx="300" cy="300" r="269" fill="{BRAND}" stroke="{TINT}" stroke-width="6"/>\n'
        f'  <line x1="240" y1="{rule_y:.1f}" x2="360" y2="{rule_y:.1f}" stroke="{TINT}" '
        f'stroke-width="3"/>\n'
        f'  <g font-family="{FONT_FAMILY}" text-anchor="middle">\n{texts}\n  </g>\n'
        "</svg>\n"
    )


def svg_around_png(png: bytes, label: str) -> str:
    """An SVG showing an uploaded PNG badge, so that it can be baked as SVG too."""
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f"aria-label={quoteattr(label)}>\n"
        f"  <title>{escape(label)}</title>\n"
        # xlink:href: what every SVG renderer reads (SVG 2's plain href is newer).
        f'  <image width="{width}" height="{height}" xlink:href="data:image/png;base64,{data}"/>\n'
        "</svg>\n"
    )
