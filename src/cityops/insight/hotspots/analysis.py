"""The hot-issue analysis: group, measure, title and rank (the use case the CLI and API call)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np

from cityops.insight.hotspots.grouping import Features, features, group_messages
from cityops.insight.hotspots.heat import (
    first_flagged,
    growth,
    heat_index,
    is_emerging,
    window_counts,
)
from cityops.insight.hotspots.model import (
    HeatParts,
    HotIssue,
    HotspotReport,
    HotspotSettings,
    Message,
)
from cityops.insight.hotspots.text import area_codes, severity, top_words

TITLE_CHARS = 40
_TITLE_LEADS = ("关于", "反映", "投诉", "举报", "咨询", "请求", "建议")


def find_hotspots(
    messages: Sequence[Message],
    settings: HotspotSettings | None = None,
    *,
    now: datetime | None = None,
    top: int | None = None,
    min_count: int = 1,
) -> HotspotReport:
    """Hot issues among `messages`, hottest first (at most `top`, groups of ≥ min_count).

    `now` ends the recent window (default: the latest message's time — the right clock for an
    export analysed offline)."""
    settings = settings or HotspotSettings()
    if not messages:
        return HotspotReport(now or datetime.min, 0, 0, (), settings)
    clock = now if now is not None else max(m.posted_at for m in messages)
    feats = features(messages)
    groups = group_messages(messages, settings, feats)
    issues = [
        _issue(messages, group, feats, settings, clock)
        for group in groups
        if len(group) >= min_count
    ]
    issues.sort(key=lambda i: (-i.heat, -i.count, i.first_at, i.member_ids))
    ranked = tuple(_with_rank(issue, rank) for rank, issue in enumerate(issues, start=1))
    return HotspotReport(
        clock, len(messages), len(groups), ranked[:top] if top else ranked, settings
    )


def _with_rank(issue: HotIssue, rank: int) -> HotIssue:
    return replace(issue, rank=rank)


def _medoids(group: Sequence[int], feats: Features, limit: int) -> list[int]:
    """The members closest on average to the others (cosine), most central first."""
    if len(group) <= 1:
        return list(group)
    block = feats.vectors[list(group)]
    sims = np.asarray((block @ block.T).toarray())
    centrality = sims.sum(axis=1)
    order = np.argsort(-centrality, kind="stable")
    return [group[int(i)] for i in order[:limit]]


def title_of(subject: str) -> str:
    """A message subject as an issue title: leading 关于/反映… dropped, cut to TITLE_CHARS."""
    title = subject.strip()
    changed = True
    while changed:
        changed = False
        for lead in _TITLE_LEADS:
            if title.startswith(lead) and len(title) > len(lead) + 4:
                title = title[len(lead) :]
                changed = True
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def _place(
    members: Sequence[Message],
    subject_places: Sequence[tuple[str, ...]],
    text_places: Sequence[tuple[str, ...]],
) -> str | None:
    """The place most members name in their subjects when at least half of them do, else the one
    most name in their text when at least a third do, else the area code most carry or name."""
    for found, share in ((subject_places, 2), (text_places, 3)):
        named: Counter[str] = Counter()
        for names in found:
            named.update(names)
        if named:
            name, hits = named.most_common(1)[0]
            if hits * share >= len(members):
                return name
    areas: Counter[str] = Counter()
    for m in members:
        areas.update((m.area_code,) if m.area_code else area_codes(m.text)[-1:])
    return areas.most_common(1)[0][0] if areas else None


def _issue(
    messages: Sequence[Message],
    group: Sequence[int],
    feats: Features,
    settings: HotspotSettings,
    now: datetime,
) -> HotIssue:
    members = [messages[i] for i in group]
    times = [m.posted_at for m in members]
    votes = sum(m.votes_up - m.votes_down for m in members)
    known = [m.sender for m in members if m.sender]
    senders = len(set(known)) + (len(members) - len(known))
    recent, baseline = window_counts(times, now, settings)
    parts = HeatParts(
        count=len(members),
        support=max(0, votes) + (len(members) - senders),
        recent=recent,
        baseline=baseline,
        severity=sum(1 for m in members if severity(m.text)) / len(members),
    )
    central = _medoids(group, feats, settings.representatives)
    head = messages[central[0]]
    place = _place(
        members, [feats.subject_places[i] for i in group], [feats.text_places[i] for i in group]
    )
    keywords = top_words([list(feats.words[i]) for i in group], 5, frozenset({place or ""}))
    title = title_of(head.subject if head.subject.strip() else head.body.split("\n")[0])
    return HotIssue(
        rank=0,
        heat=round(heat_index(parts, settings), 2),
        title=title,
        keywords=keywords,
        place=place,
        first_at=min(times),
        last_at=max(times),
        count=len(members),
        senders=senders,
        votes=votes,
        parts=parts,
        growth=round(growth(recent, baseline, settings), 3),
        emerging=is_emerging(recent, baseline, settings),
        first_flagged_at=first_flagged(times, settings),
        representatives=tuple(messages[i] for i in central),
        member_ids=tuple(m.message_id for m in members),
    )
