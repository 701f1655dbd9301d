"""HJ 212-2017 frames written: a data segment framed with its length and CRC, a data upload's CP,
and the answers the standard prescribes (9011 请求应答, 9013 通知应答, 9014 数据应答)."""

from __future__ import annotations

import math
import re
from datetime import datetime

from cityops.sensing.hj212.codec import (
    BEIJING,
    MAX_DATA_LENGTH,
    QN_PATTERN,
    SYSTEM_INTERACTION,
    FrameRefused,
    PollutantItem,
    QnRtn,
    RefusalReason,
    crc16,
)

_SAFE = re.compile(r"[A-Za-z0-9_.\-]+")


def encode_frame(data_segment: str) -> bytes:
    """Frame a data segment: `##`, its length, the segment, its CRC in upper-case hex, CRLF."""
    body = data_segment.encode("ascii")
    if len(body) > MAX_DATA_LENGTH:
        raise ValueError(f"data segment of {len(body)} bytes exceeds {MAX_DATA_LENGTH}")
    return b"##%04d%s%04X\r\n" % (len(body), body, crc16(body))


def format_data_time(instant: datetime) -> str:
    """An aware instant as the standard's DataTime (Beijing time, `YYYYMMDDhhmmss`)."""
    return instant.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def data_segment(
    *,
    qn: str | None,
    st: str,
    cn: str,
    pw: str,
    mn: str,
    flag: int,
    cp: str,
    pnum: int | None = None,
    pno: int | None = None,
) -> str:
    """A data segment from its fields; `cp` is the text between `CP=&&` and `&&`."""
    parts = [f"QN={qn}"] if qn is not None else []
    parts += [f"ST={st}", f"CN={cn}", f"PW={pw}", f"MN={mn}", f"Flag={flag}"]
    if pnum is not None and pno is not None:
        parts += [f"PNUM={pnum}", f"PNO={pno}"]
    return ";".join(parts) + f";CP=&&{cp}&&"


def data_cp(data_time: datetime, pollutants: list[PollutantItem]) -> str:
    """A data upload's CP: DataTime, then one group per pollutant (numbers, text, then Flag)."""
    groups = [f"DataTime={format_data_time(data_time)}"]
    for item in pollutants:
        parts = [f"{item.code}-{suffix}={_format_number(v)}" for suffix, v in item.values.items()]
        parts += [f"{item.code}-{suffix}={value}" for suffix, value in item.text.items()]
        if item.flag is not None:
            parts.append(f"{item.code}-Flag={item.flag}")
        groups.append(",".join(parts))
    return ";".join(groups)


def _format_number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be written in a frame")
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def refusal_answer(refused: FrameRefused) -> bytes | None:
    """The request answer (CN=9011, QnRtn=9) to a frame that failed its CRC, when the header it
    carried is still readable enough to be echoed (a QN, a PW and an MN of sane shape)."""
    if refused.reason is not RefusalReason.crc_mismatch:
        return None
    qn, pw, mn = refused.qn, refused.pw, refused.mn
    if qn is None or pw is None or mn is None or not QN_PATTERN.fullmatch(qn):
        return None
    if not all(_SAFE.fullmatch(value) for value in (pw, mn)) or len(pw) > 9 or len(mn) > 24:
        return None
    return request_answer(qn, pw, mn, refused.flag or 0, QnRtn.bad_crc)


def answer_flag(flag: int) -> int:
    """An answer's Flag: the request's version, no answer asked, no subpacket."""
    return (flag >> 2) << 2


def data_answer(qn: str, pw: str, mn: str, flag: int) -> bytes:
    """数据应答 (CN=9014): the answer to a data upload whose Flag asked for one."""
    segment = data_segment(
        qn=qn, st=SYSTEM_INTERACTION, cn="9014", pw=pw, mn=mn, flag=answer_flag(flag), cp=""
    )
    return encode_frame(segment)


def notification_answer(qn: str, pw: str, mn: str, flag: int) -> bytes:
    """通知应答 (CN=9013): the answer to a notification."""
    segment = data_segment(
        qn=qn, st=SYSTEM_INTERACTION, cn="9013", pw=pw, mn=mn, flag=answer_flag(flag), cp=""
    )
    return encode_frame(segment)


def request_answer(qn: str, pw: str, mn: str, flag: int, qn_rtn: QnRtn) -> bytes:
    """请求应答 (CN=9011) with its QnRtn."""
    segment = data_segment(
        qn=qn,
        st=SYSTEM_INTERACTION,
        cn="9011",
        pw=pw,
        mn=mn,
        flag=answer_flag(flag),
        cp=f"QnRtn={int(qn_rtn)}",
    )
    return encode_frame(segment)
