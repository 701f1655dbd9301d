"""The words of each notification (plain Chinese, short enough for one SMS). Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cityops.cases.public import (
    CaseCancelled,
    CaseClosed,
    CaseDispatched,
    CaseEvent,
    CaseExtensionDecided,
    CaseHandled,
    CaseMerged,
    CaseRegistered,
    CaseRejected,
    CaseReopened,
    CaseReported,
    CaseResumed,
    CaseSigned,
    CaseStatus,
    CaseSuspended,
)
from cityops.kernel.clock import SHANGHAI

NOTIFIED_EVENTS: tuple[type[CaseEvent], ...] = (
    CaseReported,
    CaseRegistered,
    CaseRejected,
    CaseCancelled,
    CaseMerged,
    CaseDispatched,
    CaseSigned,
    CaseExtensionDecided,
    CaseSuspended,
    CaseResumed,
    CaseHandled,
    CaseClosed,
    CaseReopened,
)


@dataclass(frozen=True)
class CaseFacts:
    """What a message may say about the case (public facts only)."""

    tracking_code: str
    unit: str | None
    expected_by: datetime | None


def _when(value: datetime | None) -> str:
    return f"{value.astimezone(SHANGHAI):%m月%d日%H:%M}" if value else ""


def message_for(
    event: CaseEvent, facts: CaseFacts, *, merged: bool = False
) -> tuple[str, str] | None:
    """(subject, text) for an event the citizen hears about, else None. `merged`: the citizen's
    own appeal was merged into the case of `event` (合并办理); `facts.tracking_code` is then
    the code of their own appeal, and the words say it is the shared case."""
    if merged:
        body = _merged_body(event, facts.unit or "承办单位", _due(facts))
        return None if body is None else _words(body, facts.tracking_code)
    code = facts.tracking_code
    unit = facts.unit or "承办单位"
    body = None
    if isinstance(event, CaseReported):
        due = f"，预计{_when(facts.expected_by)}前办结" if facts.expected_by else ""
        body = f"您的诉求已受理{due}"
    elif isinstance(event, CaseRegistered):
        body = "您的诉求已立案，正在分派"
    elif isinstance(event, CaseRejected):
        body = "您的诉求经核实不予立案，详情可查询办理进度"
    elif isinstance(event, CaseMerged):
        body = "您的诉求与同一问题的其他诉求合并办理，结果会同样告知您"
    elif isinstance(event, CaseCancelled):
        body = "您的诉求已撤销，详情可查询办理进度"
    elif isinstance(event, CaseDispatched):
        body = f"您的诉求已派给{unit}办理"
    elif isinstance(event, CaseSigned):
        body = f"{unit}已签收您的诉求，正在办理"
    elif isinstance(event, CaseExtensionDecided):
        body = f"您的诉求办理时间已延长{_due(facts)}" if event.approved else None
    elif isinstance(event, CaseSuspended):
        body = "您的诉求暂缓办理，恢复办理时会再告知您"
    elif isinstance(event, CaseResumed):
        body = f"您的诉求已恢复办理{_due(facts)}"
    elif isinstance(event, CaseHandled):
        body = f"{unit}已办理完毕，正在核查"
    elif isinstance(event, CaseClosed):
        body = "您的诉求已办结，欢迎评价"
    elif isinstance(event, CaseReopened):
        body = (
            "您的诉求已重新立案，正在分派"
            if event.status == CaseStatus.registered.value
            else f"您的诉求已重新交由{unit}办理"
        )
    if body is None:
        return None
    return _words(body, code)


def _due(facts: CaseFacts) -> str:
    return f"，预计{_when(facts.expected_by)}前办结" if facts.expected_by else ""


CODE_LABEL = "查询码："
_CODE_IN_TEXT = re.compile(re.escape(CODE_LABEL) + r"[A-Za-z0-9_-]+")
HIDDEN_CODE = CODE_LABEL + "****"


def _words(body: str, code: str) -> tuple[str, str]:
    return "诉求办理进度", f"【城市运行】{body}。{CODE_LABEL}{code}"


def without_code(text: str) -> str:
    """A message as staff may read it: the tracking code it quotes hidden. The code is the
    citizen's credential (it gives the citizen's own rating); only the citizen gets it."""
    return _CODE_IN_TEXT.sub(HIDDEN_CODE, text)


def _merged_body(event: CaseEvent, unit: str, due: str) -> str | None:
    """The words for a citizen whose appeal was merged into the case of `event`."""
    shared = "您反映的问题（已合并办理）"
    if isinstance(event, CaseSigned):
        return f"{shared}已由{unit}签收，正在办理"
    if isinstance(event, CaseExtensionDecided):
        return f"{shared}办理时间已延长{due}" if event.approved else None
    if isinstance(event, CaseSuspended):
        return f"{shared}暂缓办理，恢复办理时会再告知您"
    if isinstance(event, CaseResumed):
        return f"{shared}已恢复办理{due}"
    if isinstance(event, CaseRegistered):
        return f"{shared}已立案，正在分派"
    if isinstance(event, CaseRejected):
        return f"{shared}经核实不予立案，详情可查询办理进度"
    if isinstance(event, CaseMerged):
        return f"{shared}又与同一问题的其他诉求合并办理，结果会同样告知您"
    if isinstance(event, CaseCancelled):
        return f"{shared}已撤销，详情可查询办理进度"
    if isinstance(event, CaseDispatched):
        return f"{shared}已派给{unit}办理"
    if isinstance(event, CaseHandled):
        return f"{shared}已由{unit}办理完毕，正在核查"
    if isinstance(event, CaseClosed):
        return f"{shared}已办结，可凭查询码查看办理结果"
    if isinstance(event, CaseReopened):
        if event.status == CaseStatus.registered.value:
            return f"{shared}已重新立案，正在分派"
        return f"{shared}已重新交由{unit}办理"
    return None
