"""The kinds of citizen appeal (诉求类型), shared by every intake channel."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class AppealType(StrEnum):
    consultation = "consultation"  # 咨询
    help = "help"  # 求助
    complaint = "complaint"  # 投诉
    report = "report"  # 举报
    suggestion = "suggestion"  # 建议


APPEAL_TYPE_NAMES: Mapping[AppealType, str] = {
    AppealType.consultation: "咨询",
    AppealType.help: "求助",
    AppealType.complaint: "投诉",
    AppealType.report: "举报",
    AppealType.suggestion: "建议",
}
