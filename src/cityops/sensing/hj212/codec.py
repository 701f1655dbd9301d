"""HJ 212-2017 frames (污染物在线监控（监测）系统数据传输标准), read and written without I/O.

A frame on the wire is `##` + the data segment's length (4 decimal digits) + the data segment +
its CRC (4 hex digits) + `\\r\\n`. The data segment is
`QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…[;PNUM=…;PNO=…];CP=&&<groups>&&`, the CP's groups are separated
by `;` and the items of a group by `,`; an item is `key=value`, and a pollutant's item key is
`<code>-<suffix>` (`a34004-Rtd`, `a34004-Flag`).

`parse_frame` either returns a `Frame` or raises `FrameRefused` with a `RefusalReason`; it never
raises anything else, whatever the bytes. Writing frames is `encode.py`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum, StrEnum

MAX_DATA_LENGTH = 1024  # the standard: the data segment holds 0 ≤ n ≤ 1024 ASCII characters
FRAME_OVERHEAD = 12  # "##" + 4 length digits + 4 CRC digits + "\r\n"
BEIJING = timezone(timedelta(hours=8), "Beijing")  # the standard's times are Beijing time

# Flag (标志位) = V5..V0 (version) D A: A asks for an answer, D says PNUM/PNO are present.
FLAG_ANSWER = 0b01
FLAG_SUBPACKET = 0b10
VERSION_2017 = 1  # V5..V0 = 000001 for HJ 212-2017, 000000 for HJ/T 212-2005

SYSTEM_INTERACTION = "91"  # ST=91: 系统交互, the ST of every answer


class RefusalReason(StrEnum):
    """Why a frame was refused; the value is the stable code kept with a dead letter."""

    bad_header = "bad_header"  # no "##" + 4 digits, or no "\r\n" at the end
    oversized = "oversized"  # a data segment over MAX_DATA_LENGTH
    length_mismatch = "length_mismatch"  # the declared length is not the data segment's
    crc_mismatch = "crc_mismatch"
    bad_encoding = "bad_encoding"  # bytes outside ASCII
    missing_field = "missing_field"
    bad_field = "bad_field"  # a malformed field or item (QN, Flag, DataTime, "k=v")
    bad_number = "bad_number"  # a pollutant value that is not a finite decimal number


class FrameRefused(ValueError):
    """A frame that cannot be taken, with the reason and a human-readable detail. Where the data
    segment could still be read, `qn`, `pw` and `mn` are kept so a request answer can be sent."""

    def __init__(
        self,
        reason: RefusalReason,
        detail: str,
        *,
        qn: str | None = None,
        pw: str | None = None,
        mn: str | None = None,
        flag: int | None = None,
    ) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.qn = qn
        self.pw = pw
        self.mn = mn
        self.flag = flag


class QnRtn(IntEnum):
    """The request answer's return codes (CN=9011, 请求命令返回)."""

    ready = 1  # 准备执行请求
    refused = 2  # 请求被拒绝
    bad_password = 3  # PW 错误
    bad_mn = 4  # MN 错误
    bad_st = 5  # ST 错误
    bad_flag = 6  # Flag 错误
    bad_qn = 7  # QN 错误
    bad_cn = 8  # CN 错误
    bad_crc = 9  # CRC 校验错误
    unknown = 100  # 未知错误


@dataclass(frozen=True, slots=True)
class PollutantItem:
    """One pollutant's items in one CP group: the numbers (`Rtd`, `Avg`, `Min`, `Max`, `Cou` and
    the converted `ZsRtd`… kept under their suffix), its data flag and any other items as text."""

    code: str
    values: dict[str, float] = field(default_factory=dict)
    flag: str | None = None
    text: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Frame:
    """A parsed frame. `data_time` is the CP's DataTime converted to UTC (None when absent);
    `fields` holds the CP's items that are not a pollutant's (RtdInterval, QnRtn, PolId…)."""

    qn: str | None
    st: str
    cn: str
    pw: str
    mn: str
    flag: int
    pnum: int | None
    pno: int | None
    data_time: datetime | None
    pollutants: tuple[PollutantItem, ...]
    fields: dict[str, str]
    data_segment: str

    @property
    def answer_required(self) -> bool:
        return bool(self.flag & FLAG_ANSWER)

    @property
    def is_subpacket(self) -> bool:
        """One packet of several (PNUM/PNO given). Devices in the field set Flag's D bit without
        PNUM/PNO (Flag=7 for a whole message), so the bit alone does not make a subpacket."""
        return self.pnum is not None

    @property
    def version(self) -> int:
        return self.flag >> 2


NUMERIC_SUFFIXES = frozenset(
    {"Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "ZsAvg", "ZsMin", "ZsMax"}
)
_FLAG_SUFFIX = "Flag"
_HEADER_KEYS = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")
_REQUIRED = ("ST", "CN", "PW", "MN")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
QN_PATTERN = re.compile(r"\d{17}")
_DIGITS = re.compile(r"\d{1,7}")
_CODE = re.compile(r"[A-Za-z0-9]{1,10}")
_SUFFIX = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}")
_FIELD_LIMITS = {"PW": 9, "MN": 24}


def crc16(data: bytes) -> int:
    """The standard's CRC (附录 A): register 0xFFFF; for each byte the register's high byte is
    replaced by high byte XOR the byte and moved to the low byte, then eight right shifts, each
    followed by XOR 0xA001 when the bit shifted out was 1."""
    register = 0xFFFF
    for byte in data:
        register = (register >> 8) ^ byte
        for _ in range(8):
            carry = register & 1
            register >>= 1
            if carry:
                register ^= 0xA001
    return register


def parse_frame(raw: bytes) -> Frame:
    """Read one frame (the trailing CRLF included). Raises only `FrameRefused`."""
    if not raw.endswith(b"\r\n"):
        raise FrameRefused(RefusalReason.bad_header, "frame does not end with CRLF")
    raw = raw[:-2]
    if len(raw) < 10 or raw[:2] != b"##" or not raw[2:6].isdigit():
        raise FrameRefused(RefusalReason.bad_header, "frame does not start with ## and 4 digits")
    declared = int(raw[2:6])
    data = raw[6:-4]
    if declared > MAX_DATA_LENGTH or len(data) > MAX_DATA_LENGTH:
        raise FrameRefused(
            RefusalReason.oversized,
            f"data segment of {max(declared, len(data))} bytes, at most {MAX_DATA_LENGTH}",
        )
    if declared != len(data):
        raise FrameRefused(
            RefusalReason.length_mismatch, f"declared {declared}, data segment has {len(data)}"
        )
    try:
        text = data.decode("ascii")
        crc_text = raw[-4:].decode("ascii")
    except UnicodeDecodeError:
        raise FrameRefused(RefusalReason.bad_encoding, "bytes outside ASCII") from None
    expected = crc16(data)
    if not re.fullmatch(r"[0-9A-Fa-f]{4}", crc_text) or int(crc_text, 16) != expected:
        header = _header_hint(text)
        raise FrameRefused(
            RefusalReason.crc_mismatch,
            f"CRC {crc_text!r}, computed {expected:04X}",
            qn=header.get("QN"),
            pw=header.get("PW"),
            mn=header.get("MN"),
            flag=_int_or_none(header.get("Flag")),
        )
    return parse_data_segment(text)


def parse_data_segment(text: str) -> Frame:
    """Read a data segment (without length and CRC). Raises only `FrameRefused`."""
    head, sep, rest = text.partition("CP=&&")
    if not sep:
        raise FrameRefused(RefusalReason.missing_field, "CP=&&…&& missing")
    if not rest.endswith("&&"):
        raise FrameRefused(RefusalReason.bad_field, "CP does not end with &&")
    if head and not head.endswith(";"):
        raise FrameRefused(RefusalReason.bad_field, "CP is not separated from the header by ;")
    header = _read_header(head[:-1] if head else "")
    try:
        return _build(header, rest[:-2], text)
    except FrameRefused as refused:
        raise FrameRefused(
            refused.reason,
            refused.detail,
            qn=header.get("QN"),
            pw=header.get("PW"),
            mn=header.get("MN"),
            flag=_int_or_none(header.get("Flag")),
        ) from None


def _build(header: dict[str, str], cp: str, text: str) -> Frame:
    for key in _REQUIRED:
        if key not in header:
            raise FrameRefused(RefusalReason.missing_field, f"{key} missing")
    qn = header.get("QN")
    if qn is not None and not QN_PATTERN.fullmatch(qn):
        raise FrameRefused(RefusalReason.bad_field, f"QN {qn!r} is not YYYYMMDDhhmmsszzz")
    for key in ("ST", "CN"):
        if not _DIGITS.fullmatch(header[key]):
            raise FrameRefused(RefusalReason.bad_field, f"{key} {header[key]!r} is not a code")
    for key, limit in _FIELD_LIMITS.items():
        if not 0 < len(header[key]) <= limit:
            raise FrameRefused(RefusalReason.bad_field, f"{key} is empty or over {limit} chars")
    flag = _small_int(header, "Flag", 255) if "Flag" in header else 0
    pnum = _small_int(header, "PNUM", 9999) if "PNUM" in header else None
    pno = _small_int(header, "PNO", 9999) if "PNO" in header else None
    if (pnum is None) != (pno is None):
        raise FrameRefused(RefusalReason.missing_field, "PNUM and PNO come together")
    if pnum is not None and pno is not None and not 1 <= pno <= pnum:
        raise FrameRefused(RefusalReason.bad_field, f"PNO {pno} outside 1..PNUM {pnum}")
    data_time, pollutants, fields = _read_cp(cp)
    return Frame(
        qn=qn,
        st=header["ST"],
        cn=header["CN"],
        pw=header["PW"],
        mn=header["MN"],
        flag=flag,
        pnum=pnum,
        pno=pno,
        data_time=data_time,
        pollutants=pollutants,
        fields=fields,
        data_segment=text,
    )


def _read_header(head: str) -> dict[str, str]:
    header: dict[str, str] = {}
    if not head:
        return header
    for part in head.split(";"):
        key, sep, value = part.partition("=")
        if not sep or not key:
            raise FrameRefused(RefusalReason.bad_field, f"header part {part[:40]!r} is not k=v")
        if key in header:
            raise FrameRefused(RefusalReason.bad_field, f"{key} given twice")
        if key in _HEADER_KEYS:
            header[key] = value
    return header


def _read_cp(
    cp: str,
) -> tuple[datetime | None, tuple[PollutantItem, ...], dict[str, str]]:
    data_time: datetime | None = None
    fields: dict[str, str] = {}
    items: dict[str, tuple[dict[str, float], dict[str, str], list[str]]] = {}
    for group in cp.split(";"):
        if not group:
            continue
        for item in group.split(","):
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise FrameRefused(RefusalReason.bad_field, f"CP item {item[:40]!r} is not k=v")
            code, dash, suffix = key.partition("-")
            if not dash:
                if key in fields:
                    raise FrameRefused(RefusalReason.bad_field, f"{key} given twice")
                if key == "DataTime":
                    data_time = parse_data_time(value)
                fields[key] = value
                continue
            if not _CODE.fullmatch(code) or not _SUFFIX.fullmatch(suffix):
                raise FrameRefused(RefusalReason.bad_field, f"CP key {key[:40]!r} malformed")
            numbers, text, flag = items.setdefault(code, ({}, {}, []))
            if suffix in numbers or suffix in text or (suffix == _FLAG_SUFFIX and flag):
                raise FrameRefused(RefusalReason.bad_field, f"{key} given twice")
            if suffix in NUMERIC_SUFFIXES:
                numbers[suffix] = parse_number(key, value)
            elif suffix == _FLAG_SUFFIX:
                flag.append(value)
            else:
                text[suffix] = value
    pollutants = tuple(
        PollutantItem(code=code, values=numbers, flag=flag[0] if flag else None, text=text)
        for code, (numbers, text, flag) in items.items()
    )
    return data_time, pollutants, fields


def parse_number(key: str, value: str) -> float:
    """A decimal number as the standard writes it; NaN, infinities and Python-only spellings
    (`1_0`, surrounding spaces) are refused."""
    if not _NUMBER.fullmatch(value):
        raise FrameRefused(RefusalReason.bad_number, f"{key}={value[:40]!r} is not a number")
    number = float(value)
    if number in (float("inf"), float("-inf")):
        raise FrameRefused(RefusalReason.bad_number, f"{key}={value[:40]!r} is out of range")
    return number


def parse_data_time(value: str) -> datetime:
    """`YYYYMMDDhhmmss` in Beijing time, returned in UTC."""
    if not re.fullmatch(r"\d{14}", value):
        raise FrameRefused(RefusalReason.bad_field, f"DataTime {value[:40]!r} malformed")
    try:
        local = datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)
        return local.astimezone(UTC)
    except (ValueError, OverflowError):  # no such date; or 0001-01-01 before 08:00 in UTC
        raise FrameRefused(RefusalReason.bad_field, f"DataTime {value!r} is no date") from None


def _small_int(header: dict[str, str], key: str, limit: int) -> int:
    value = header[key]
    if not re.fullmatch(r"\d{1,4}", value) or int(value) > limit:
        raise FrameRefused(RefusalReason.bad_field, f"{key} {value[:20]!r} is not 0..{limit}")
    return int(value)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value is not None and re.fullmatch(r"\d{1,3}", value) else None


def _header_hint(text: str) -> dict[str, str]:
    """The header fields of a data segment that failed its CRC, read leniently, for the answer."""
    head = text.partition("CP=&&")[0]
    hint: dict[str, str] = {}
    for part in head.split(";"):
        key, sep, value = part.partition("=")
        if sep and key in _HEADER_KEYS and key not in hint:
            hint[key] = value
    return hint
