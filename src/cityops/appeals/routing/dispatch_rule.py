"""Routing at intake (受理时智能分拨) as plain functions: which appeals the router decides on,
when it dispatches by itself, how it explains that in the case history, and what a dispatcher's
different choice teaches the model. No database, no clock, no model file.

The rule, for a case reported through a citizen channel (web, hotline, Open311) and not yet
decided: with suggestions from a loaded model, the case still waiting for registration, a top
suggestion that names a leaf category of the responsibility list (not only its group), its
probability (the lower of its text-only one and its one with the place) and that of the board
label behind it at or above the threshold, a unit on the list
for it, and — when a person chose the case's category — the list's preset unit for that category
(预设责任单位) being the same unit, it is registered and dispatched automatically; otherwise it
waits in the dispatcher's queue with the suggestions, and the routing card says why (never a
silent contradiction of the preset)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cityops.appeals.routing.place import PlaceNote

CITIZEN_SOURCES = frozenset({"web", "hotline", "open311"})
EXPLAIN_WORDS = 5  # top words kept per suggestion


@dataclass(frozen=True)
class RouteSuggestion:
    """One candidate of the routing model for a text (智能分拨建议)."""

    label: str  # the model's first-level label (一级标签), e.g. "城乡建设"
    probability: float  # calibrated; the k suggestions of one text sum to <= 1
    category_code: str  # taxonomy code it maps to (LABEL_TO_CATEGORY_GROUP in router.py)
    category_name: str
    department_code: str | None  # the unit the responsibility list names for it at the place
    department_name: str | None
    top_words: tuple[tuple[str, float], ...]  # explanation: words pushing towards this label
    # False: only the category's group is known — the text names none of its leaves (细类)
    leaf: bool = True
    # the board label's own calibrated probability (None: the same as `probability`)
    label_probability: float | None = None
    keywords: tuple[str, ...] = ()  # the list's words for the category found in the text
    # the probability from the text alone, before the place weighed it (None: no place view);
    # the threshold is compared with the lower of the two: the place never dispatches alone
    text_probability: float | None = None
    place: PlaceNote | None = None  # the recent cases nearby that raised it (place.py)


class RoutingOutcome(StrEnum):
    auto_dispatched = "auto_dispatched"  # registered and dispatched by the router
    queued = "queued"  # left to the dispatcher, with the suggestions
    skipped = "skipped"  # someone took the case up before the router saw it


class RoutingReason(StrEnum):
    confident = "confident"
    low_confidence = "low_confidence"
    category_not_predicted = "category_not_predicted"  # (older decisions) outside the group
    leaf_uncertain = "leaf_uncertain"  # the text names no leaf category: the unit is unknown
    contradicts_preset = "contradicts_preset"  # the chosen category's preset unit differs
    no_department = "no_department"
    case_taken_up = "case_taken_up"  # no longer waiting for registration
    dispatch_refused = "dispatch_refused"  # the case engine refused the automatic steps


@dataclass(frozen=True)
class IntakeFacts:
    """What the rule needs to know about a freshly reported case."""

    source: str
    status: str
    category_code: str
    category_by_system: bool  # the citizen let the system choose the category (由系统判断)
    department_code: str | None  # the unit intake suggested for the case's own category
    department_name: str | None
    already_decided: bool = False


@dataclass(frozen=True)
class Verdict:
    outcome: RoutingOutcome
    reason: RoutingReason
    department_code: str | None  # where it goes (auto) or would go (queued, skipped)
    department_name: str | None


def in_group(category_code: str, group_code: str) -> bool:
    """Whether a category is the group itself or lies under it (codes nest by prefix)."""
    return bool(group_code) and category_code.startswith(group_code)


def decide(
    facts: IntakeFacts, suggestions: Sequence[RouteSuggestion], threshold: float
) -> Verdict | None:
    """The router's decision for one case, or None when there is nothing to decide: decided
    already (a redelivered event), not a citizen channel, or no suggestions (no model)."""
    if facts.already_decided or facts.source not in CITIZEN_SOURCES or not suggestions:
        return None
    top = suggestions[0]
    by_person = not facts.category_by_system
    code, name = top.department_code, top.department_name

    def verdict(outcome: RoutingOutcome, reason: RoutingReason) -> Verdict:
        return Verdict(outcome, reason, code, name)

    if facts.status != "reported":
        return verdict(RoutingOutcome.skipped, RoutingReason.case_taken_up)
    if not top.leaf:
        return verdict(RoutingOutcome.queued, RoutingReason.leaf_uncertain)
    label_p = top.probability if top.label_probability is None else top.label_probability
    leaf_p = top.probability if top.text_probability is None else top.text_probability
    if min(top.probability, leaf_p) < threshold or label_p < threshold:
        # both the leaf and the board label behind it: the label's probability is the part
        # calibrated on held-out messages (cityops router eval)
        return verdict(RoutingOutcome.queued, RoutingReason.low_confidence)
    if code is None:
        return verdict(RoutingOutcome.queued, RoutingReason.no_department)
    if by_person and facts.department_code != code:
        # the category a person chose has its own unit on the list: never overrule it silently
        return verdict(RoutingOutcome.queued, RoutingReason.contradicts_preset)
    return verdict(RoutingOutcome.auto_dispatched, RoutingReason.confident)


def _percent(p: float) -> str:
    return f"{p * 100:.0f}%"


def _what(top: RouteSuggestion) -> str:
    return f"{top.category_name or top.category_code}（{top.label}）"


def register_note(top: RouteSuggestion) -> str:
    """The history note of the automatic 立案."""
    return f"智能分拨自动立案：{_what(top)} {_percent(top.probability)}"


def dispatch_note(
    top: RouteSuggestion, threshold: float, department_name: str | None, model_version: str
) -> str:
    """The history note of the automatic 派遣: why, to whom, on which words, by which model."""
    words = "、".join([*top.keywords, *(w for w, _ in top.top_words if w not in top.keywords)])
    unit = department_name or "责任单位"
    return (
        f"智能分拨自动派遣至{unit}：{_what(top)} {_percent(top.probability)}"
        f"（自动派遣阈值 {_percent(threshold)}）；依据词：{words or '无'}；模型版本 {model_version}"
    )


def needs_correction(
    predicted_group: str,
    router_department: str | None,
    dispatched_department: str,
    case_category: str,
) -> bool:
    """A person's dispatch corrects the router when it goes to another unit than the router
    chose or suggested, or the case's category lies outside the predicted group."""
    return dispatched_department != router_department or not in_group(
        case_category, predicted_group
    )


def label_of_category(category_code: str, groups: Mapping[str, str]) -> str | None:
    """The model label whose group holds the category (`groups`: label → group code)."""
    for label, group in groups.items():
        if in_group(category_code, group):
            return label
    return None


def corrected_label(
    *,
    case_category: str,
    case_department: str | None,
    dispatched_department: str,
    groups: Mapping[str, str],
    department_by_label: Mapping[str, str | None],
) -> tuple[str, str] | None:
    """What a person's dispatch teaches, as (label, category code), or None when it names no
    label (then it is kept as a record of the unit, but is no training data).

    The dispatch went to the unit of the case's own category, and that category lies in a
    label's group: that label. Otherwise exactly one label's group goes to the unit the person
    chose: that label and its group."""
    own = label_of_category(case_category, groups)
    if own is not None and dispatched_department == case_department:
        return own, case_category
    matching = [
        label for label, dept in department_by_label.items() if dept == dispatched_department
    ]
    if len(matching) == 1 and matching[0] in groups:
        return matching[0], groups[matching[0]]
    return None
