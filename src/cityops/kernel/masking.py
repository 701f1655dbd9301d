"""Masking of personal data for display to roles that do not need it, and inside free text that
is published (a citizen's description, a handler's note, a rating comment)."""

from __future__ import annotations

import re
from collections.abc import Iterable


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

# Full-width digits and signs read as their ASCII selves (one character for one, so the places
# found in the normalised copy are the places in the text).
_NORMALISE = str.maketrans("０１２３４５６７８９＋－（）＠．\u3000", "0123456789+-()@. ")
_LEFT = r"(?<![0-9A-Za-z])"  # not inside a longer code (C20261206000225, a tracking code)
_RIGHT = r"(?![0-9A-Za-z])(?!\.[0-9])"  # nor followed by more of one, or by decimals
_SEP = r"[ \-]?"
_PII = re.compile(
    # e-mail: the local part and domain as mail systems write them
    r"(?P<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
    # 居民身份证号: region, birth date 18xx–20xx, sequence, check digit
    rf"|{_LEFT}(?P<id>[1-9][0-9]{{5}}(?:18|19|20)[0-9]{{2}}(?:0[1-9]|1[0-2])"
    rf"(?:0[1-9]|[12][0-9]|3[01])[0-9]{{3}}[0-9Xx]){_RIGHT}"
    # mainland mobile, optionally +86, digits grouped 3-4-4 by spaces or dashes
    rf"|{_LEFT}(?P<mobile>(?:\+?86{_SEP})?1[3-9][0-9](?:{_SEP}[0-9]{{4}}){{2}}){_RIGHT}"
    # landline: area code 010 / 02x or 0xxx (also in brackets), local number of 7–8 digits
    rf"|{_LEFT}(?P<landline>(?P<area>\(?0(?:[12][0-9]|[3-9][0-9]{{2}})\)?){_SEP}"
    rf"[1-9][0-9]{{6,7}}){_RIGHT}"
)
# A name the writer gives after a cue: 我叫张三, 姓名：李四, 联系人王师傅 (2–3 Chinese characters).
_NAME_CUE = re.compile(
    r"(?:我叫|我的名字[是叫]|姓名[:：]?|联系人[:：]?)\s*"
    r"(?![了过来去人车电手])(?P<name>[\u4e00-\u9fff]{2,3})"
)


def _mask_digits(found: str, keep_head: int, keep_tail: int = 4) -> str:
    """Digits between the first `keep_head` and the last `keep_tail` become *; separators,
    brackets and signs stay where they are."""
    total = sum(ch.isdigit() or ch in "Xx" for ch in found)
    out: list[str] = []
    seen = 0
    for ch in found:
        if ch.isdigit() or ch in "Xx":
            out.append(ch if seen < keep_head or seen >= total - keep_tail else "*")
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def _masked(match: re.Match[str], original: str) -> str:
    kind = match.lastgroup
    if kind == "email":
        return mask_email(original)
    if kind == "landline":  # the area code stays: 0571-****4321
        return _mask_digits(original, sum(ch.isdigit() for ch in match["area"]))
    head = 3  # 139****5678, 330************12X
    if kind == "mobile":  # +86: the country code stays too
        head += sum(ch.isdigit() for ch in match.group(0)) - 11
    return _mask_digits(original, head)


def mask_text(text: str, *, names: Iterable[str | None] = ()) -> str:
    """`text` with the personal data in it masked, for publishing: mainland mobile numbers
    (139****5678, also written 139-1234-5678, 139 1234 5678, +86…, in full-width digits),
    landlines (0571-****4321), 18-digit resident ID numbers (330************12X), e-mail
    addresses (z***@example.com), each of `names` wherever it occurs (张*), and a name given
    after 我叫 / 我的名字是 / 姓名 / 联系人. Dates, amounts, case numbers (C20261206000225)
    and tracking codes are left alone."""
    if not text:
        return text
    normal = text.translate(_NORMALISE)
    parts: list[str] = []
    last = 0
    for match in _PII.finditer(normal):
        start, end = match.span()
        parts.append(text[last:start])
        parts.append(_masked(match, text[start:end]))
        last = end
    parts.append(text[last:])
    masked = "".join(parts)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len)[::-1]:
        masked = masked.replace(name, mask_name(name) or "")
    return _NAME_CUE.sub(
        lambda m: m.group(0)[: m.start("name") - m.start()] + (mask_name(m["name"]) or ""),
        masked,
    )
