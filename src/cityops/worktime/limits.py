"""The vocabulary of SLA time limits (时限): the stages of a case's clock and how long each may
take, written compactly as `<amount><unit>` — "1wh" (working hours), "3wd" (working days), "2ch"
(calendar hours, for urgent items). The working calendar (calendar.py) turns a limit into a
deadline. Plain Python."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

LIMIT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z_]+)\s*$")


class Stage(StrEnum):
    register = "register"  # 立案
    dispatch = "dispatch"  # 派遣
    handle = "handle"  # 处置
    verify = "verify"  # 核查
    close = "close"  # 结案


class LimitUnit(StrEnum):
    working_hours = "working_hours"
    working_days = "working_days"
    calendar_hours = "calendar_hours"

    @property
    def is_working(self) -> bool:
        return self is not LimitUnit.calendar_hours


UNIT_SHORT: Mapping[LimitUnit, str] = {
    LimitUnit.working_hours: "wh",
    LimitUnit.working_days: "wd",
    LimitUnit.calendar_hours: "ch",
}
_UNIT_BY_NAME: dict[str, LimitUnit] = {
    **{short: unit for unit, short in UNIT_SHORT.items()},
    **{unit.value: unit for unit in LimitUnit},
}


class LimitFormatError(ValueError):
    """A value that cannot be read as a time limit."""


@dataclass(frozen=True)
class TimeLimit:
    """How long a stage may take, e.g. TimeLimit(3, working_days); str() gives "3wd"."""

    amount: float
    unit: LimitUnit

    def __str__(self) -> str:
        amount = int(self.amount) if float(self.amount).is_integer() else self.amount
        return f"{amount}{UNIT_SHORT[self.unit]}"

    def to_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "unit": self.unit.value}

    @classmethod
    def parse(cls, value: Any) -> TimeLimit:
        """Read "3wd", "2 working_hours", {"amount": 2, "unit": "calendar_hours"} or a TimeLimit."""
        if isinstance(value, TimeLimit):
            return value
        if isinstance(value, Mapping):
            try:
                amount, unit_name = value["amount"], str(value["unit"])
            except KeyError as exc:
                raise LimitFormatError(f"time limit needs 'amount' and 'unit': {value}") from exc
        else:
            match = LIMIT_RE.match(str(value))
            if match is None:
                raise LimitFormatError(
                    f"cannot read time limit {value!r}: write e.g. 1wh, 3wd or 2ch"
                )
            amount, unit_name = match.group(1), match.group(2)
        unit = _UNIT_BY_NAME.get(unit_name)
        if unit is None:
            raise LimitFormatError(
                f"unknown time unit {unit_name!r}: use wh/wd/ch or {', '.join(LimitUnit)}"
            )
        try:
            number = float(amount)
        except (TypeError, ValueError) as exc:
            raise LimitFormatError(f"time limit amount {amount!r} is not a number") from exc
        return cls(number, unit)
