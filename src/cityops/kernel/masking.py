"""Masking of personal data for display to roles that do not need it, and inside free text that
is published (a citizen's description, a handler's note, a rating comment)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def mask_phone(phone: str | None) -> str | None:
    """138****1234 for mobiles; keep the first 3 and last 4 of any longer number."""
    if not phone:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str | None) -> str | None:
    """张** — keep the family name only."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_email(address: str) -> str:
    """z***@example.com — keep the first character and the domain."""
    local, at, domain = address.partition("@")
    if not at:
        return "*" * len(address)
    return f"{local[:1]}***@{domain}"


# ---- personal data inside free text ------------------------------------------------------------
#
# Numbers are looked for in a normalised copy of the text, one character for one, so a place in
# the copy is the same place in the text: full-width digits and signs read as ASCII, every kind
# of space (no-break, thin, ideographic, zero-width) as a space, every dash as "-". Runs of
# digits joined by one to three separators (space . / - + brackets) make a chain; a number is
# one or more whole runs of a chain whose digits, read together, are a mobile, a landline or a
# resident ID number. Letters may touch a number (wx13812345603, QQ13812345603). Only its digits
# are masked: separators, brackets and the text around stay as written (138 **** 5678,
# １３８．****．５６７８).

_SPACES = (
    "\t\u00a0\u00b7\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u200c\u200d\u202f\u205f\u2060\u3000\u30fb\ufeff"
)
_DASHES = "\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_NORMALISE = str.maketrans(
    {
        **{0xFF10 + d: str(d) for d in range(10)},  # ０–９
        **dict.fromkeys(map(ord, _SPACES), " "),
        **dict.fromkeys(map(ord, _DASHES), "-"),
        **{ord(a): b for a, b in zip("＋（）＠．／Ｘｘ", "+()@./Xx", strict=True)},
    }
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_CHAIN = re.compile(r"[0-9]+(?:[ ./()+\-]{1,4}[0-9]+)*")
_RUN = re.compile(r"[0-9]+")
# 居民身份证号: region, birth date, sequence and check digit; the old 15-digit one (一代证) has
# a two-digit year and no check digit.
_PROVINCE = r"(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])"  # 省级行政区划代码
_ID18 = re.compile(
    rf"{_PROVINCE}[0-9]{{4}}(?:18|19|20)[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9X]"
)
_ID15 = re.compile(rf"{_PROVINCE}[0-9]{{6}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{{3}}")
_MOBILE = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")  # with the country code, if written
_AREA = re.compile(r"0(?:[12][0-9]|[3-9][0-9]{2})")  # 010, 02x, 0xxx
_CASE_NUMBER = re.compile(r"C20[0-9]{12}")  # the platform's case numbers: C, the day, the id
_DATE = re.compile(
    r"(?<![0-9])(?:19|20)[0-9]{2}([./\-])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])"
)
# what a number never runs into: a unit (1402 1398284元, 12.5万, 30%)
_UNITS = frozenset("元万米块%％岁斤吨")
_DIGITS = frozenset("0123456789Xx")
_LONGEST = 18  # digits of the longest number (an ID number; a mobile with 0086 has 15)


def _kept_head(digits: str, runs: Sequence[str]) -> int | None:
    """How many leading digits of a number stay visible, or None when `digits` (read from
    `runs`, the digit runs as written) are no mobile, landline or ID number."""
    size = len(digits)
    if size == 18 and _ID18.fullmatch(digits):
        return 3  # 330***********1234
    # the old ID number has no century and no check digit to go by: written whole, or with
    # its region as the first group (330103 900101 123)
    if size == 15 and (len(runs) == 1 or len(runs[0]) == 6) and _ID15.fullmatch(digits):
        return 3
    if digits.startswith(("1", "86", "0086")):
        if not _MOBILE.fullmatch(digits) or not _mobile_groups(runs, size - 11):
            return None
        return size - 8  # 138****5678; a country code stays with the head
    first = runs[0]
    if digits[0] == "0" and 10 <= size <= 12 and (3 <= len(first) <= 4 or len(first) >= 10):
        area = first if len(first) <= 4 else first[:3] if first[1] in "12" else first[:4]
        if (
            _AREA.fullmatch(area)
            and 7 <= size - len(area) <= 8
            and digits[len(area)] != "0"
            and all(len(r) >= 3 for r in runs[1:])  # 0571 8765 4321, not 0571-8-765-4321
        ):
            return len(area)  # the area code stays: 0571-****4321
    return None


def _mobile_groups(runs: Sequence[str], prefix: int) -> bool:
    """Whether a mobile's digits (after `prefix` digits of country code) are grouped as people
    write one: digit by digit, or in groups of three or more (138 1234 5678, 1381234-5678,
    138 123 45678). Other groupings are amounts, dates and house numbers (13000-150000元,
    1971.12-1972.1, 1-602/1-23-1-202)."""
    sizes = [len(r) for r in runs]
    while prefix and sizes:
        taken = min(prefix, sizes[0])
        prefix -= taken
        sizes[0] -= taken
        if not sizes[0]:
            sizes.pop(0)
    if all(size == 1 for size in sizes):
        return True
    *head, last = sizes
    return all(size in (3, 4, 7, 8) for size in head) and last in (3, 4, 5, 7, 8, 11)


def _chain_numbers(normal: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """The numbers in the chain normal[start:end] as (start, end, digits kept at the head). At
    each run the longest number wins, so a spaced ID number is not read as the mobile its first
    groups might spell. A case number belongs to no number, nor does a piece of an amount or a
    time (the 160 of 384,160, the 17 of 10:17), and a date (2026/10/16) only to an ID number
    whose birth date it is. A number does not run into a unit (1402 1398284元)."""
    runs = [(m.start(), m.end()) for m in _RUN.finditer(normal, start, end)]
    barred = {k for k, (a, b) in enumerate(runs) if _CASE_NUMBER.match(normal, a - 1, b + 1)}
    if start >= 2 and normal[start - 1] in ",:" and normal[start - 2].isdigit():
        barred.add(0)
    if normal[end : end + 1] in (",", ":") and normal[end + 1 : end + 2].isdigit():
        barred.add(len(runs) - 1)
    dated = {
        k
        for date in _DATE.finditer(normal, start, end)
        for k, (a, _) in enumerate(runs)
        if date.start() <= a < date.end()
    }
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < len(runs):
        best: tuple[int, int, int] | None = None
        digits = ""
        texts: list[str] = []
        date_at: int | None = None  # where a date begins among the digits
        for j in range(i, len(runs)):
            if j in barred:
                break
            a, b = runs[j]
            if j in dated and date_at is None:
                date_at = len(digits)
            digits += normal[a:b]
            texts.append(normal[a:b])
            if len(digits) > _LONGEST:
                break
            if len(digits) == 17 and normal[b : b + 1] in ("X", "x"):
                head = _kept_head(digits + "X", texts)
                b += 1
            else:
                head = _kept_head(digits, texts)
            if head is None or normal[b : b + 1] in _UNITS:
                continue
            if date_at is None or (date_at == 6 and len(digits) >= 17 and head == 3):
                best = (runs[i][0], b, head)
                last = j
        if best is not None and not _decimals_follow(normal, runs, i, last):
            found.append(best)
            i = last + 1
        else:
            i += 1
    return found


def _decimals_follow(normal: str, runs: list[tuple[int, int]], first: int, last: int) -> bool:
    """13912345678.5元 is an amount: a lone "." and one or two last digits follow the number,
    which has no "." of its own."""
    if last + 2 != len(runs):
        return False
    b, (c, d) = runs[last][1], runs[last + 1]
    return normal[b:c] == "." and d - c <= 2 and "." not in normal[runs[first][0] : b]


# A name the writer gives after a cue: 我叫张三, 姓名：李四, 联系人王师傅 (2–3 Chinese characters);
# 姓名 only with a colon, or 姓名公布 and 姓名和电话 would lose their words.
_NAME_CUE = re.compile(
    r"(?:我叫|我的名字[是叫]|姓名\s*[:：]|联系人[:：]?)\s*"
    r"(?![了过来去人车电手民])(?P<name>[\u4e00-\u9fff]{2,3})"
)


def _masked_numbers(text: str) -> str:
    normal = text.translate(_NORMALISE)
    # e-mail addresses first: a number inside one (13912345678@qq.com) is part of it
    emails = [m.span() for m in _EMAIL.finditer(normal)] if "@" in normal else []
    chars: list[str] | None = None
    for chain in _CHAIN.finditer(normal):
        start, end = chain.span()
        if end - start < 10 or any(a < end and start < b for a, b in emails):
            continue  # shorter than any number (a landline has ten digits at least)
        for a, b, head in _chain_numbers(normal, start, end):
            if chars is None:
                chars = list(text)
            places = [k for k in range(a, b) if normal[k] in _DIGITS]
            for k in places[head : len(places) - 4]:
                chars[k] = "*"
    masked = text if chars is None else "".join(chars)
    if not emails:
        return masked
    parts: list[str] = []
    last = 0
    for a, b in emails:
        parts += [masked[last:a], mask_email(text[a:b])]
        last = b
    parts.append(masked[last:])
    return "".join(parts)


def mask_text(text: str, *, names: Iterable[str | None] = ()) -> str:
    """`text` with the personal data in it masked, for readers who may not see it: mainland
    mobile numbers (139****5678, however written: 139-1234-5678, 139.1234.5678, 139 1234 5678
    with no-break or zero-width spaces, +86 / 0086 / 86 before, full-width digits, letters
    glued on as in wx13912345678), landlines with their area code (0571-****4321, (0571)
    8765 4321, an extension stays), resident ID numbers of 18 digits (330***********123X, also
    spaced 6-8-4) and of 15, e-mail addresses (z***@example.com), each of `names` wherever it
    occurs (张*), and a name given after 我叫 / 我的名字是 / 姓名 / 联系人. Years, amounts
    (1500元, 13912345678.5元), dates and times, house numbers, case numbers (C20261206000225)
    and tracking codes are left alone, and so is everything but the masked digits."""
    if not text:
        return text
    masked = _masked_numbers(text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len)[::-1]:
        masked = masked.replace(name, mask_name(name) or "")
    return _NAME_CUE.sub(
        lambda m: m.group(0)[: m.start("name") - m.start()] + (mask_name(m["name"]) or ""),
        masked,
    )
