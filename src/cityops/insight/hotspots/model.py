"""The records hot-issue analysis takes and gives, and its settings (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Message:
    """One citizen message (留言/诉求) as the analysis needs it.

    `subject` may be empty when a channel has only one text. `votes_up`/`votes_down` are the
    board's 点赞数/反对数 where it has them (0 otherwise); `sender` identifies the citizen (for
    repeat callers), `area_code` the area the channel already knows (None: only the text says)."""

    message_id: str
    subject: str
    body: str
    posted_at: datetime
    votes_up: int = 0
    votes_down: int = 0
    sender: str | None = None
    area_code: str | None = None

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.body}" if self.subject else self.body


@dataclass(frozen=True)
class HeatWeights:
    """The weights of the heat index (see heat.py); each ≥ 0."""

    volume: float = 1.0
    support: float = 0.5
    growth: float = 1.0
    severity: float = 0.5

    def __post_init__(self) -> None:
        if min(self.volume, self.support, self.growth, self.severity) < 0:
            raise ValueError("heat weights must be non-negative")


@dataclass(frozen=True)
class HotspotSettings:
    """How messages are grouped and how heat and emergence are measured.

    similarity: two messages (or, after linking, two groups on average) belong together when
      their combined similarity reaches it; combined = text cosine + place_bonus when they name
      the same place − place_penalty when both name places and share none.
    window_days: messages further apart in time are never linked directly.
    recent_days / baseline_days: the recent window (ending at `now`) and the baseline window just
      before it, for growth and emergence.
    emerging_min / emerging_jump: a group is emerging when it has ≥ emerging_min messages in the
      recent window and that rate is ≥ emerging_jump × its smoothed baseline rate."""

    similarity: float = 0.25
    place_bonus: float = 0.15
    place_penalty: float = 0.0
    window_days: float = 180.0
    recent_days: float = 7.0
    baseline_days: float = 28.0
    emerging_min: int = 3
    emerging_jump: float = 3.0
    representatives: int = 3
    weights: HeatWeights = field(default_factory=HeatWeights)

    def __post_init__(self) -> None:
        if not 0.0 < self.similarity <= 1.5:
            raise ValueError("similarity must be in (0, 1.5]")
        if self.window_days <= 0 or self.recent_days <= 0 or self.baseline_days <= 0:
            raise ValueError("windows must be positive")
        if self.emerging_min < 1 or self.emerging_jump < 1 or self.representatives < 1:
            raise ValueError("emerging_min, emerging_jump and representatives must be ≥ 1")


@dataclass(frozen=True)
class HeatParts:
    """What the heat index of a group is made of (heat.py computes it from these)."""

    count: int
    support: int  # max(0, Σ(up − down)) + repeat messages of the same sender
    recent: int  # messages in the recent window
    baseline: int  # messages in the baseline window
    severity: float  # share of messages naming a serious harm, in [0, 1]


@dataclass(frozen=True)
class HotIssue:
    """One hot issue: a group of messages about the same matter in the same place."""

    rank: int
    heat: float
    title: str
    keywords: tuple[str, ...]
    place: str | None
    first_at: datetime
    last_at: datetime
    count: int
    senders: int
    votes: int  # Σ(up − down) over the group
    parts: HeatParts
    growth: float
    emerging: bool
    first_flagged_at: datetime | None  # when the emerging rule first held, if ever
    representatives: tuple[Message, ...]
    member_ids: tuple[str, ...]


@dataclass(frozen=True)
class HotspotReport:
    """The ranked hot issues of one analysis, hottest first, and what it covered."""

    now: datetime
    messages: int
    groups: int
    issues: tuple[HotIssue, ...]
    settings: HotspotSettings
