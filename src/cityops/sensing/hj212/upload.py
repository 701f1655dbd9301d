"""A parsed data upload turned into `Reading`s, and the sink's answer; no I/O.

`to_upload` takes a `Frame` whose CN is a data upload (2011/2051/2061/2031) and yields the
readings of its pollutants whose data flag is N (or absent), the flagged values apart, and the
codes that have no metric. The device code of each reading is the frame's MN; its instant is the
CP's DataTime (Beijing time in the frame, UTC here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cityops.sensing.hj212.codec import Frame, FrameRefused, QnRtn, RefusalReason
from cityops.sensing.hj212.pollutants import DATA_COMMANDS, VALUE_SUFFIX, DataFlag, DataKind
from cityops.sensing.hj212.pollutants import metric_for as _metric_for
from cityops.sensing.model import Reading


@dataclass(frozen=True, slots=True)
class FlaggedValue:
    """A value whose data flag is not N (stopped, maintenance, fault…): not a reading, but kept
    so the caller can count it. `metric` is None for an unmapped code."""

    code: str
    metric: str | None
    flag: str
    value: float | None


@dataclass(frozen=True, slots=True)
class Hj212Upload:
    """One data upload as the sink sees it."""

    mn: str
    pw: str
    cn: str
    qn: str | None
    kind: DataKind
    data_time: datetime
    readings: tuple[Reading, ...]
    flagged: tuple[FlaggedValue, ...]
    unmapped: tuple[str, ...]  # pollutant codes with a valid value but no metric key
    pnum: int | None = None
    pno: int | None = None


@dataclass(frozen=True, slots=True)
class SinkAnswer:
    """What the sink made of an upload: accepted, or refused with a reason. A refusal's `qn_rtn`
    is sent back in a request answer (CN=9011) when the device asked for an answer."""

    accepted: bool
    reason: str = ""
    qn_rtn: QnRtn = QnRtn.refused

    @classmethod
    def accept(cls) -> SinkAnswer:
        return cls(accepted=True)

    @classmethod
    def refuse(cls, reason: str, qn_rtn: QnRtn = QnRtn.refused) -> SinkAnswer:
        return cls(accepted=False, reason=reason, qn_rtn=qn_rtn)


def is_data_upload(frame: Frame) -> bool:
    return frame.cn in DATA_COMMANDS


def to_upload(frame: Frame) -> Hj212Upload:
    """The upload carried by a data frame. Raises `FrameRefused` when the CN is not a data
    upload or DataTime is missing; a pollutant without the value its kind takes (no `-Rtd` in
    real-time data) is not an error, it gives no reading."""
    kind = DATA_COMMANDS.get(frame.cn)
    if kind is None:
        raise FrameRefused(RefusalReason.bad_field, f"CN {frame.cn} is not a data upload")
    if frame.data_time is None:
        raise FrameRefused(RefusalReason.missing_field, "DataTime missing from a data upload")
    suffix = VALUE_SUFFIX[kind]
    readings: list[Reading] = []
    flagged: list[FlaggedValue] = []
    unmapped: list[str] = []
    for item in frame.pollutants:
        metric = _metric_for(item.code)
        value = item.values.get(suffix)
        if item.flag is not None and item.flag != DataFlag.normal:
            flagged.append(FlaggedValue(item.code, metric, item.flag, value))
        elif value is None:
            continue
        elif metric is None:
            unmapped.append(item.code)
        else:
            readings.append(Reading(frame.mn, metric, frame.data_time, value))
    return Hj212Upload(
        mn=frame.mn,
        pw=frame.pw,
        cn=frame.cn,
        qn=frame.qn,
        kind=kind,
        data_time=frame.data_time,
        readings=tuple(readings),
        flagged=tuple(flagged),
        unmapped=tuple(unmapped),
        pnum=frame.pnum,
        pno=frame.pno,
    )
