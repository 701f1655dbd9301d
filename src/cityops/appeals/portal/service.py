"""platform.portal: the citizen portal's use cases in one object, built in app.py."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from cityops.appeals.followup.public import FollowupService
from cityops.appeals.portal import store
from cityops.appeals.portal.board import PublicBoard
from cityops.appeals.portal.model import AppealRecord
from cityops.appeals.portal.photos import PhotoStore
from cityops.appeals.portal.ratelimit import PortalLimiter, RateLimits
from cityops.appeals.portal.rating import Rating
from cityops.appeals.portal.submission import CategorySuggester, Intake, Reads, RecipientRegistry
from cityops.appeals.portal.tracking import Tracking
from cityops.cases.public import CaseService
from cityops.geo.public import GeoService
from cityops.kernel.clock import Clock


class PortalService:
    """platform.portal: intake (submit_appeal), tracking (track_case), rating (rate_case), the
    public board (read_board), the stored photos and the per-client rate limits. `client_key`
    keys the hash a rating keeps of its client address (app.py: derived from the secret key)."""

    def __init__(
        self,
        *,
        cases: CaseService,
        geo: GeoService,
        clock: Clock,
        upload_dir: Path,
        followup: FollowupService,
        limits: RateLimits | None = None,
        fallback_category: str = "A13",
        suggester: CategorySuggester | None = None,
        recipients: RecipientRegistry | None = None,
        reads: Reads | None = None,
        client_key: bytes | None = None,
    ) -> None:
        self.clock = clock
        self.photos = PhotoStore(upload_dir)
        self.intake = Intake(
            cases=cases,
            geo=geo,
            clock=clock,
            photos=self.photos,
            fallback_category=fallback_category,
            suggester=suggester,
            recipients=recipients,
            reads=reads,
        )
        self.tracking = Tracking(cases=cases, photos=self.photos)
        self.rating = Rating(
            cases=cases, tracking=self.tracking, clock=clock, client_key=client_key
        )
        self.board = PublicBoard(cases=cases, clock=clock, followup=followup)
        self.limiter = PortalLimiter(limits or RateLimits(), lambda: clock.now().timestamp())
        self.submit_appeal = self.intake.submit_appeal
        self.track_case = self.tracking.track_case
        self.rate_case = self.rating.rate_case
        self.read_board = self.board.read_board

    def categories_by(self, session: Session, case_ids: Sequence[int]) -> dict[int, str]:
        """Who chose each case's category: "citizen", or "system" when the citizen let the
        system decide (由系统判断); cases with no appeal record are left out."""
        return store.categories_by(session, case_ids)

    def record_appeal(
        self,
        session: Session,
        *,
        case_id: int,
        tracking_code: str,
        appeal_type: str,
        anonymous: bool,
        category_by: str,
    ) -> None:
        """Keep the appeal record of a case taken by another channel (the hotline), so that its
        tracking code works here like a portal appeal's (查询进度, rating)."""
        store.insert_appeal(
            session,
            case_id=case_id,
            tracking_code=tracking_code,
            appeal_type=appeal_type,
            anonymous=anonymous,
            category_by=category_by,
            at=self.clock.now(),
        )

    def record_appeals(self, session: Session, records: Sequence[AppealRecord]) -> None:
        """`record_appeal` for many new cases at once (one statement)."""
        now = self.clock.now()
        store.insert_appeals(
            session,
            [
                {
                    "case_id": r.case_id,
                    "tracking_code": r.tracking_code,
                    "appeal_type": r.appeal_type,
                    "anonymous": r.anonymous,
                    "category_by": r.category_by,
                    "created_at": now,
                }
                for r in records
            ],
        )
