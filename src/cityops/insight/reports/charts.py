"""Charts as PNG images drawn with Pillow (already a dependency), for the .docx and the .pdf:
the daily intake trend (line), shares (horizontal bars with percentages) and a ranking (bars of
a rate). Chinese labels need a CJK font: find_cjk_font() looks for Noto Sans CJK SC (Debian
fonts-noto-cjk) or a font named in the settings."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from cityops.insight.reports.model import Report

FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: SC
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
SCALE = 2  # drawn at twice the size shown, for print
WIDTH, HEIGHT = 900, 360
BAR_ROW = 34  # px per bar
INK = (51, 51, 51)
GRID = (225, 228, 232)
BLUE = (43, 108, 176)
ORANGE = (221, 107, 32)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def find_cjk_font(configured: str | None = None) -> tuple[str, int] | None:
    """(path, index in the collection) of a font with Chinese glyphs, or None."""
    if configured:
        return (configured, 2 if configured.endswith("CJK-Regular.ttc") else 0)
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    return None


@lru_cache(maxsize=32)
def _font(spec: tuple[str, int] | None, size: int) -> Font:
    if spec is None:
        return ImageFont.load_default(size * SCALE)
    return ImageFont.truetype(spec[0], size * SCALE, index=spec[1])


def _canvas(
    title: str, font: tuple[str, int] | None, height: int = HEIGHT
) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGB", (WIDTH * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(img)
    draw.text((20 * SCALE, 10 * SCALE), title, fill=INK, font=_font(font, 16))
    return img, draw


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def trend_chart(
    points: Sequence[tuple[date, int]], title: str, font: tuple[str, int] | None
) -> bytes:
    """A line of cases per day, with the axis, the gridlines and the dates."""
    img, draw = _canvas(title, font)
    s = SCALE
    left, right, top, bottom = 70 * s, (WIDTH - 20) * s, 50 * s, (HEIGHT - 45) * s
    small = _font(font, 11)
    peak = _nice_max(max((n for _, n in points), default=0))
    for i in range(5):
        y = bottom - (bottom - top) * i / 4
        draw.line([(left, y), (right, y)], fill=GRID, width=s)
        label = f"{peak * i / 4:,.0f}"
        draw.text((left - 8 * s, y), label, fill=INK, font=small, anchor="rm")
    if points:
        step = (right - left) / max(len(points) - 1, 1)
        xy = [
            (left + step * i, bottom - (bottom - top) * n / peak) for i, (_, n) in enumerate(points)
        ]
        if len(xy) > 1:
            draw.line(xy, fill=BLUE, width=3 * s, joint="curve")
        for x, y in xy:
            draw.ellipse([(x - 3 * s, y - 3 * s), (x + 3 * s, y + 3 * s)], fill=BLUE)
        every = max(1, len(points) // 10)
        for i, (d, _) in enumerate(points):
            if i % every == 0 or i == len(points) - 1:
                x = left + step * i
                draw.text(
                    (x, bottom + 8 * s), f"{d.month}/{d.day}", fill=INK, font=small, anchor="mt"
                )
    draw.line([(left, bottom), (right, bottom)], fill=INK, width=s)
    return _png(img)


def bar_chart(
    items: Sequence[tuple[str, float]],
    title: str,
    font: tuple[str, int] | None,
    *,
    as_percent: bool = False,
    color: tuple[int, int, int] = BLUE,
) -> bytes:
    """Horizontal bars, largest first as given, each labelled with its value; the image is as
    tall as its bars need (34 px a bar)."""
    shown = list(items)[:10]
    height = 60 + BAR_ROW * max(len(shown), 2)
    img, draw = _canvas(title, font, height)
    s = SCALE
    label_font, value_font = _font(font, 12), _font(font, 11)
    left, right, top, bottom = 170 * s, (WIDTH - 90) * s, 45 * s, (height - 10) * s
    peak = 1.0 if as_percent else _nice_max(max((v for _, v in shown), default=0))
    row = (bottom - top) / max(len(shown), 1)
    bar = min(row * 0.65, 26 * s)
    for i, (label, value) in enumerate(shown):
        y = top + row * i + row / 2
        text = label if len(label) <= 12 else label[:11] + "…"
        draw.text((left - 8 * s, y), text, fill=INK, font=label_font, anchor="rm")
        x = left + (right - left) * max(value, 0) / peak
        draw.rectangle([(left, y - bar / 2), (max(x, left + s), y + bar / 2)], fill=color)
        shown_value = f"{value * 100:.1f}%" if as_percent else f"{value:,.0f}"
        draw.text((x + 6 * s, y), shown_value, fill=INK, font=value_font, anchor="lm")
    if not shown:
        draw.text(((left + right) / 2, (top + bottom) / 2), "无数据", fill=INK, font=label_font)
    draw.line([(left, top), (left, bottom)], fill=INK, width=s)
    return _png(img)


def report_charts(report: Report, font: str | None = None) -> dict[str, bytes]:
    """The report's four charts as PNG: trend, sources, categories, ranking."""
    spec = find_cjk_font(font)
    ranked = [*report.department_head, *report.department_tail]
    return {
        "trend": trend_chart(report.trend, "每日受理量趋势（件）", spec),
        "sources": bar_chart(
            [(s.name, float(s.count)) for s in report.sources], "来源分布（件）", spec
        ),
        "categories": bar_chart(
            [(c.name, float(c.count)) for c in report.categories], "问题大类（件）", spec
        ),
        "ranking": bar_chart(
            [(u.name, u.on_time_closure or 0.0) for u in ranked],
            "承办单位按期结案率（前列与后列）",
            spec,
            as_percent=True,
            color=ORANGE,
        ),
    }
