"""mask_text against a generated corpus (fixed seed): real-looking mobiles, landlines and ID
numbers written in many ways inside Chinese sentences must not survive, and ordinary numbers
(years, amounts, dates, times, house and case numbers) must come back untouched."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cityops.kernel.ids import TRACKING_ALPHABET
from cityops.kernel.masking import mask_text

SEED = 20261207
CASES = 3000

SEPARATORS = [" ", ".", "/", "-", "\u00a0", "\u200b", "\u3000", "\u2009", "－", " - ", "—"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TO_ASCII = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
GLUED_BEFORE = ["", "", "", "wx", "WX", "vx", "QQ", "qq", "Tel", "tel:", "V", "微信", "手机"]
GLUED_AFTER = ["", "", "", "qq", "QQ", "X", "a", "号"]
LEADS = [
    "您好，我的电话是",
    "有问题请联系",
    "业主",
    "联系王师傅，",
    "楼下噪音扰民已经一个月了，请回电",
    "身份证号",
    "张三反映，",
    "",
]
TAILS = ["，谢谢！", "。", "，请尽快处理", "（白天打）", "", " 有事联系", "；小区东门"]
REGIONS = ["110101", "330103", "440305", "510107", "430102", "320583", "130102", "610113"]
AREAS = ["010", "020", "021", "022", "023", "024", "025", "027", "028", "029"]
AREAS += ["0571", "0574", "0512", "0531", "0731", "0755", "0791", "0851", "0931", "0898"]
MOBILE_PREFIXES = ["130", "135", "138", "139", "147", "150", "158", "166", "177", "186", "199"]
CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _split(number: str, sizes: list[int]) -> list[str]:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    return [p for p in parts if p]


def _random_sizes(rng: random.Random, total: int, allowed: tuple[int, ...]) -> list[int]:
    sizes = []
    while total > 0:
        size = min(total, rng.choice(allowed))
        sizes.append(size)
        total -= size
    return sizes


@dataclass(frozen=True)
class Number:
    digits: str  # as a person's number, ASCII (an ID may end in X)
    groups: list[str]  # how it is written, before separators
    prefix: str = ""  # +86 and the like, written before it
    masked: int = 0  # how many of its digits must become *
    # the group sizes it may also be written in, in any order: a mobile in threes and fours, a new
    # ID number in any; a landline keeps its area code as a group, an old ID number its region
    regroup: tuple[int, ...] = ()


def mobile(rng: random.Random) -> Number:
    number = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
    sizes = rng.choice([[11], [3, 4, 4], [3, 8], [7, 4], [4, 4, 3], [3, 3, 5], [1] * 11])
    prefix = rng.choice(["", "", "", "+86", "+86 ", "0086", "0086-", "86", "(+86)", "+86-"])
    return Number(number, _split(number, sizes), prefix, masked=4, regroup=(3, 4))


def landline(rng: random.Random) -> Number:
    area = rng.choice(AREAS)
    local = rng.choice("2345678") + _digits(rng, rng.choice([6, 7]))
    if len(local) == 8:
        writings = [[area, local], [area, local[:4], local[4:]], [area + local]]
    else:
        writings = [[area, local], [area, local[:3], local[3:]], [area + local]]
    groups = rng.choice(writings)
    if rng.random() < 0.3:
        groups = [f"({groups[0]})", *groups[1:]] if len(groups) > 1 else groups
    return Number(area + local, groups, masked=len(local) - 4)


def _birth(rng: random.Random, first_year: int, last_year: int) -> str:
    year = rng.randint(first_year, last_year)
    return f"{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def id18(rng: random.Random) -> Number:
    body = rng.choice(REGIONS) + _birth(rng, 1940, 2015) + _digits(rng, 3)
    total = sum(int(d) * w for d, w in zip(body, CHECK_WEIGHTS, strict=True))
    number = body + "10X98765432"[total % 11]
    if number.endswith("X") and rng.random() < 0.5:
        number = number[:-1] + "x"
    sizes = rng.choice([[18], [6, 8, 4], [6, 4, 4, 4], [4, 4, 4, 4, 2], [3, 3, 4, 4, 4]])
    return Number(number, _split(number, sizes), masked=11, regroup=(1, 2, 3, 4))


def id15(rng: random.Random) -> Number:
    number = rng.choice(REGIONS) + _birth(rng, 1930, 1999)[2:] + _digits(rng, 3)
    sizes = rng.choice([[15], [6, 6, 3], [6, 9], [6, 3, 3, 3]])
    return Number(number, _split(number, sizes), masked=8)


def _spells_date(groups: list[str]) -> bool:
    year, month, day = groups[0], groups[1], groups[2].rstrip("Xx")
    return (
        len(year) == 4
        and year[:2] in ("19", "20")
        and len(month) <= 2
        and 1 <= int(month) <= 12
        and len(day) <= 2
        and day.isdigit()
        and 1 <= int(day) <= 31
    )


def written(rng: random.Random, number: Number) -> str:
    """The number as someone might type it: a separator (the same or a mixture) between its
    groups or between any digits, full-width digits now and then."""
    groups = number.groups
    if rng.random() < 0.2 and number.regroup:
        # a random grouping, an ID number's X kept with the digit before it; drawn again while
        # the last group is short or three groups spell a date (1998/4/16: left alone)
        plain = "".join(groups)
        while True:
            groups = _split(plain, _random_sizes(rng, len(plain), number.regroup))
            if groups[-1] in ("X", "x"):
                groups = [*groups[:-2], groups[-2] + groups[-1]]
            if len(groups[-1]) >= min(number.regroup) and not any(
                _spells_date(groups[k : k + 3]) for k in range(len(groups) - 2)
            ):
                break
    same = rng.choice(SEPARATORS)
    mixed = rng.random() < 0.3
    out = groups[0]
    for group in groups[1:]:
        out += (rng.choice(SEPARATORS) if mixed else same) + group
    text = number.prefix + out
    if rng.random() < 0.3:
        text = text.translate(FULL_WIDTH)
    return text


def sentence(rng: random.Random, number: Number) -> tuple[str, str]:
    """A sentence holding the number, and the number as written in it."""
    if number.digits[-1] in "Xx" or number.groups[0].startswith("("):
        glued = ""  # an X or a bracket already touches the number
    else:
        glued = rng.choice(GLUED_BEFORE)
    after = rng.choice(GLUED_AFTER) if number.digits[-1] not in "Xx" else ""
    if after == "X" and len(number.digits) == 17:
        after = ""
    if after and rng.random() < 0.5:
        after = ""
    writing = written(rng, number)
    return rng.choice(LEADS) + glued + writing + after + rng.choice(TAILS), writing


def _visible(text: str) -> str:
    """The digits (and stars) of a text, with everything between them dropped."""
    ascii_text = text.translate(TO_ASCII)
    return "".join(ch for ch in ascii_text if ch.isdigit() or ch in "*Xx")


def _check_masked(text: str, writing: str, number: Number) -> None:
    masked = mask_text(text)
    # nothing but digits changed, and those only into *
    assert len(masked) == len(text), (text, masked)
    changed = [(a, b) for a, b in zip(text, masked, strict=True) if a != b]
    assert all(b == "*" and (a.translate(TO_ASCII) in "0123456789Xx") for a, b in changed), (
        text,
        masked,
    )
    assert len(changed) == number.masked, (text, masked)
    assert number.digits not in _visible(masked), (text, masked)
    assert number.digits.upper() not in _visible(masked).upper()
    # the stars fall inside the number as written
    at = text.index(writing)
    assert all(text[i] == masked[i] for i in [*range(at), *range(at + len(writing), len(text))]), (
        text,
        masked,
    )


KINDS: dict[str, Callable[[random.Random], Number]] = {
    "mobile": mobile,
    "landline": landline,
    "id18": id18,
    "id15": id15,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_generated_numbers_do_not_survive(kind: str) -> None:
    rng = random.Random(f"{SEED}-{kind}")
    for _ in range(CASES):
        number = KINDS[kind](rng)
        text, writing = sentence(rng, number)
        _check_masked(text, writing, number)


def test_two_numbers_in_one_text_are_both_masked() -> None:
    rng = random.Random(SEED)
    for _ in range(CASES):
        first = rng.choice(list(KINDS.values()))(rng)
        second = rng.choice(list(KINDS.values()))(rng)
        text_1, _ = sentence(rng, first)
        text_2, _ = sentence(rng, second)
        masked = mask_text(text_1 + rng.choice(["，", "；", "或", "、", "\n"]) + text_2)
        for number in (first, second):
            assert number.digits not in _visible(masked), masked


# ---- what is no personal data ----------------------------------------------------------------


def _year(rng: random.Random) -> str:
    return rng.choice([f"{rng.randint(1990, 2030)}年", f"{rng.randint(1990, 2030)}"])


def _amount(rng: random.Random) -> str:
    value = rng.randint(1, 2_000_000)
    return rng.choice(
        [
            f"{value}元",
            f"¥{value:,}",
            f"{value:,}.{rng.randint(0, 99):02d}元",
            f"{value}.{rng.randint(0, 9)}元",
            f"{rng.randint(1, 999)}.{rng.randint(1, 9)}万元",
            f"{rng.randint(1000, 20000)}-{rng.randint(20000, 40000)}每平",
        ]
    )


def _date(rng: random.Random) -> str:
    y, m, d = rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        [
            f"{y}-{m:02d}-{d:02d}",
            f"{y}/{m}/{d}",
            f"{y}.{m:02d}.{d:02d}",
            f"{y}年{m}月{d}日",
            f"{y}{m:02d}{d:02d}",
            f"{y}-{m:02d}-{d:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            f"{y}/{m}/{d} {rng.randint(0, 23)}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
            f"{m}月{d}日",
        ]
    )


def _time(rng: random.Random) -> str:
    start = rng.randint(0, 12)
    return rng.choice(
        [
            f"{start:02d}:30-{start + 9}:30",
            f"{rng.randint(0, 23)}:{rng.randint(0, 59):02d}",
            "晚上10点",
        ]
    )


def _house(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元"
            f"{rng.randint(1, 33)}0{rng.randint(1, 4)}",
            f"{rng.randint(1, 40)}栋{rng.randint(1, 6)}单元{rng.randint(101, 3304)}室",
            f"{rng.choice(['解放路', '文三路', '人民大道'])}{rng.randint(1, 999)}号",
        ]
    )


def _case_number(rng: random.Random) -> str:
    day = f"20{rng.randint(24, 30)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return f"C{day}{rng.randint(1, 9_999_999):0{rng.choice([6, 7])}d}"


def _other(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.randint(1, 100)}%",
            f"浙A{_digits(rng, 5)}",
            f"第{rng.randint(1, 20)}次",
            f"{rng.randint(1, 300)}平方米",
            f"{rng.randint(1, 9)}.{rng.randint(1, 9)}米",
            rng.choice(["12345热线", "110", "119", "96345", "10086", "0731-0000-00000000"]),
            "-".join("".join(rng.choice(TRACKING_ALPHABET) for _ in range(4)) for _ in range(3)),
            f"GB{rng.randint(10000, 59999)}-{rng.randint(2000, 2024)}",
        ]
    )


ORDINARY = [_year, _amount, _date, _time, _house, _case_number, _other]


def test_ordinary_numbers_stay_as_written() -> None:
    rng = random.Random(SEED + 1)
    for _ in range(CASES):
        pieces = [rng.choice(ORDINARY)(rng) for _ in range(rng.randint(1, 4))]
        joiners = ["，", "。", "；", "的", "到", " ", "、"]
        text = rng.choice(LEADS[:5])
        for piece in pieces:
            text += piece + rng.choice(joiners)
        assert mask_text(text) == text
