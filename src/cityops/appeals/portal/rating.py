"""The citizen rates a closed case (市民评价): 满意 / 基本满意 / 不满意 and a comment. The case
engine lets only an operator evaluate, so the portal acts through its own operator-role actor
and writes the citizen's words into the history note; "unsatisfied" reopens the case for 重办
unless it has been reopened MAX_REOPENS times already (then the shift leader decides). Once per
closure: a reopened case may be rated again when it is closed again.

Only the citizen rates here: a signed-in account is refused (policy.check_rate_case), and staff
never see the tracking code. The rating is kept with its channel and a keyed hash of the client
address (the same address gives the same hash, which cannot be turned back into the address
without the server's key), so ratings from one place stand out without storing where they
came from."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityops.appeals.followup.public import PORTAL_USERNAME, RatingChannel
from cityops.appeals.portal import policy, store
from cityops.appeals.portal.model import COMMENT_MAX, NewRating, checked_satisfaction
from cityops.appeals.portal.tracking import Tracking
from cityops.cases.public import ActionCommand, CaseAction, CaseService, CaseStatus, Satisfaction
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import Clock
from cityops.kernel.errors import Conflict, ValidationFailed
from cityops.kernel.text import clean_text

MAX_REOPENS = 2
# Who evaluates on the citizen's behalf; the history line names it and quotes the citizen.
PORTAL_EVALUATOR = Actor(
    user_id=None,
    username=PORTAL_USERNAME,
    roles=frozenset({Role.operator}),
    display_name="市民评价（门户）",
)
LABELS = {
    Satisfaction.satisfied: "满意",
    Satisfaction.basically_satisfied: "基本满意",
    Satisfaction.unsatisfied: "不满意",
}


def client_hash(key: bytes, client: str | None) -> str | None:
    """HMAC-SHA256 of the client address under `key` (labelled, so the digest serves nothing
    else the key signs), 32 hex digits; None without an address."""
    if not client:
        return None
    return hmac.new(key, b"portal-rating-client\0" + client.encode(), hashlib.sha256).hexdigest()[
        :32
    ]


class Rating:
    def __init__(
        self, *, cases: CaseService, tracking: Tracking, clock: Clock, client_key: bytes | None
    ) -> None:
        self.cases = cases
        self.tracking = tracking
        self.clock = clock
        # without a key of the deployment's, one of this process: hashes still never reveal
        # the address, but compare only within the process's life
        self.client_key = client_key or secrets.token_bytes(32)

    def rate_case(self, uow: UnitOfWork, actor: Actor, code: str, cmd: NewRating) -> bool:
        """Records the rating; returns True when the case was reopened for 重办."""
        policy.check_rate_case(actor)
        satisfaction = checked_satisfaction(cmd.satisfaction)
        comment = " ".join(clean_text(cmd.comment or "").split())
        if len(comment) > COMMENT_MAX:
            raise ValidationFailed(
                f"the comment is longer than {COMMENT_MAX} characters", code="too_long"
            )
        session = uow.session
        case_id, _kind = self.tracking.case_id_for(session, code)
        view = self.cases.get_case(session, SYSTEM, case_id)
        if view.status is not CaseStatus.closed:
            raise Conflict("you can rate your appeal once it is closed", code="not_closed_yet")
        if view.evaluated_at is not None:
            raise self._rated_already(session, case_id, view.reopen_count)
        unsatisfied = satisfaction is Satisfaction.unsatisfied
        reopen = unsatisfied and view.reopen_count < MAX_REOPENS
        note = f"市民通过门户评价：{LABELS[satisfaction]}" + (f"；{comment}" if comment else "")
        self.cases.act(
            uow,
            PORTAL_EVALUATOR,
            case_id,
            CaseAction.evaluate,
            ActionCommand(
                version=view.version,
                note=note,
                contacted=True,
                resolved=not unsatisfied,
                satisfaction=satisfaction,
                reopen=reopen,
            ),
        )
        try:
            store.insert_rating(
                session,
                case_id=case_id,
                round_=view.reopen_count,
                satisfaction=satisfaction.value,
                comment=comment,
                reopened=reopen,
                at=self.clock.now(),
                channel=RatingChannel.portal.value,
                client_hash=client_hash(self.client_key, cmd.client),
            )
        except IntegrityError as exc:
            # another rating of the citizen's for this closure won the race (no query now: on
            # PostgreSQL the failed insert has ended the transaction)
            raise Conflict(
                "this appeal has been rated already",
                code="already_rated",
                channel=RatingChannel.portal.value,
            ) from exc
        return reopen

    @staticmethod
    def _rated_already(session: Session, case_id: int, round_: int) -> Conflict:
        """409 already_rated, saying how this closure was rated: by the citizen here, or in a
        回访 where staff recorded the citizen's answer (which the citizen may dispute)."""
        if any(r["round"] == round_ for r in store.ratings(session, case_id)):
            return Conflict(
                "this appeal has been rated already",
                code="already_rated",
                channel=RatingChannel.portal.value,
            )
        return Conflict(
            "this appeal has been rated already: your answer was recorded in a follow-up call "
            "(回访); if that is not what you said, call the 12345 hotline to have it corrected",
            code="already_rated",
            channel=RatingChannel.followup.value,
        )
