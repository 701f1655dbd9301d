"""The heat index (热度指数) of a group and the emerging-topic rule (pure arithmetic).

With n messages in the group, support S = max(0, Σ(点赞 − 反对)) + (n − distinct senders) (a
repeat message of the same citizen counts as one more vote), r messages in the recent window
(the `recent_days` before now), b in the baseline window (the `baseline_days` before that) and
severity s = the share of messages naming a serious harm:

    expected = b × recent_days / baseline_days          (baseline rate scaled to the recent window)
    growth   = max(0, ln((r + 1) / (expected + 1)))
    heat     = 10 × (w_v·ln(1 + n) + w_s·ln(1 + S) + w_g·growth) × (1 + w_sev·s)

with the weights w_v = 1, w_s = 0.5, w_g = 1, w_sev = 0.5 by default (HeatWeights). Logarithms
keep one very popular message or one very large group from swamping the others; growth is 0 for
a group that is not rising; severity scales the total by up to 1.5×.

Emerging (新发热点): a group is emerging at time t when, with its r and expected counted for the
windows ending at t, r ≥ emerging_min and (r + 1) ≥ emerging_jump × (expected + 1) — at least
three messages this week and three times the (smoothed) rate of the four weeks before, by
default. `first_flagged` replays the group's own history and gives the first message time at
which the rule held: how early the topic would have been flagged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from cityops.insight.hotspots.model import HeatParts, HeatWeights, HotspotSettings


def window_counts(
    times: Sequence[datetime], now: datetime, settings: HotspotSettings
) -> tuple[int, int]:
    """(recent, baseline): messages in (now − recent_days, now] and in the baseline_days before."""
    recent_start = now - timedelta(days=settings.recent_days)
    baseline_start = recent_start - timedelta(days=settings.baseline_days)
    recent = sum(1 for t in times if recent_start < t <= now)
    baseline = sum(1 for t in times if baseline_start < t <= recent_start)
    return recent, baseline


def expected_recent(baseline: int, settings: HotspotSettings) -> float:
    return baseline * settings.recent_days / settings.baseline_days


def growth(recent: int, baseline: int, settings: HotspotSettings) -> float:
    return max(0.0, math.log((recent + 1) / (expected_recent(baseline, settings) + 1)))


def heat_index(parts: HeatParts, settings: HotspotSettings) -> float:
    w: HeatWeights = settings.weights
    core = (
        w.volume * math.log1p(parts.count)
        + w.support * math.log1p(max(0, parts.support))
        + w.growth * growth(parts.recent, parts.baseline, settings)
    )
    return 10.0 * core * (1.0 + w.severity * parts.severity)


def is_emerging(recent: int, baseline: int, settings: HotspotSettings) -> bool:
    expected = expected_recent(baseline, settings)
    return recent >= settings.emerging_min and (recent + 1) >= settings.emerging_jump * (
        expected + 1
    )


def first_flagged(times: Sequence[datetime], settings: HotspotSettings) -> datetime | None:
    """The first message time at which the emerging rule held for this group, or None."""
    ordered = sorted(times)
    for moment in ordered:
        recent, baseline = window_counts(ordered, moment, settings)
        if is_emerging(recent, baseline, settings):
            return moment
    return None
