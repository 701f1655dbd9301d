"""The text rule (kernel/text.py): what free text keeps and loses, and which codes are refused."""

from __future__ import annotations

import unicodedata

import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cityops.kernel.errors import ValidationFailed
from cityops.kernel.text import checked_code, clean_optional, clean_text, control_characters


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("井盖\x01\x02缺失", "井盖缺失"),
        ("a\x00b", "ab"),
        ("路灯\x0b不亮\x0c", "路灯不亮"),
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("一\u2028二\u2029三\x85四", "一\n二\n三\n四"),
        ("列1\t列2\n下一行", "列1\t列2\n下一行"),  # tab and newline are kept
        ("DEL\x7f C1\x80\x9b", "DEL C1"),
        # bidi embeddings, overrides, isolates and marks: they can make text read otherwise
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("\u202a\u202b\u202c\u202d x \u2066\u2067\u2068\u2069", " x "),
        ("\u200e\u200f\u061c标记", "标记"),
        ("\ufeff零宽\u200b空格", "零宽空格"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        # NFC: a decomposed é becomes the one code point
        ("cafe\u0301", "caf\u00e9"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        "马路上有个坑 🕳️，请尽快处理",
        "家庭 👨\u200d👩\u200d👧 表情",  # the zero-width joiner holds the emoji together
        "ZWNJ: می\u200cخواهم",
        "日本語・한국어・繁體中文",
        "地址：拱墅区华丰路 88 号 3-201",
        "=SUM(1+1) 'quoted' \"double\" <b>",
        "",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert clean_text(text) == text


def test_clean_is_idempotent_and_nfc() -> None:
    raw = "A\u030a\r\n\x00\u202eB\ud83d"
    once = clean_text(raw)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == "\u00c5\nB"


def test_nothing_excel_refuses_survives() -> None:
    every_control = "".join(chr(c) for c in range(0x00, 0xA0))
    cleaned = clean_text(every_control)
    assert ILLEGAL_CHARACTERS_RE.search(cleaned) is None
    assert "\x00" not in cleaned
    # tab, LF and CR (as a newline) kept, the printable ASCII, NEL (U+0085) as a newline
    assert cleaned == "\t\n\n" + "".join(chr(c) for c in range(0x20, 0x7F)) + "\n"


def test_clean_optional() -> None:
    assert clean_optional(None) is None
    assert clean_optional("a\x00") == "a"


@pytest.mark.parametrize("code", ["C010101", "330103001003", "zjj_handler", "编码-1", "a b"])
def test_codes_that_pass(code: str) -> None:
    assert checked_code(code, field="category_code") == code
    assert control_characters(code) == []


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ("C01\x00", ["U+0000"]),
        ("C01\t\n", ["U+0009", "U+000A"]),
        ("\u202eC01\u202e", ["U+202E"]),
        ("C\ufeff01\x0b", ["U+FEFF", "U+000B"]),
    ],
)
def test_codes_refused(code: str, named: list[str]) -> None:
    assert control_characters(code) == named
    with pytest.raises(ValidationFailed) as caught:
        checked_code(code, field="category_code")
    assert caught.value.code == "control_character"
    assert caught.value.details == {"field": "category_code"}
    assert "category_code" in caught.value.message
    assert named[0] in caught.value.message
