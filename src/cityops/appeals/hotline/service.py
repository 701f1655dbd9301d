"""platform.hotline: the hotline console's use cases — the caller's earlier appeals, the live
assistance while the operator types, and taking the call (受理 / 直派 / 直接办结 / 合并) in the
caller's one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from cityops.appeals.appeal_types import AppealType
from cityops.appeals.duplicates.public import DuplicateService, SimilarCase
from cityops.appeals.hotline import policy
from cityops.appeals.hotline.model import (
    DEFAULT_CONSULTATION_CATEGORY,
    DIRECT_DISPATCH_NOTE,
    REPEAT_CALL_NOTE,
    TEXT_MAX,
    Assistance,
    AssistQuery,
    CallerCase,
    CallMode,
    CallReceipt,
    ModeRights,
    NewCall,
    appeal_type,
    call_mode,
    caller_case,
    case_title,
    check_fields_for_mode,
    checked_phone,
    checked_text,
    is_mobile,
)
from cityops.appeals.knowledge.public import Article, KnowledgeService
from cityops.appeals.routing.public import RouteSuggestion
from cityops.cases.public import (
    ActionCommand,
    CaseAction,
    CaseService,
    CaseSource,
    CaseView,
    NewCase,
    normalized_phone,
    valid_phone,
)
from cityops.geo.public import GeoService
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.errors import NotFound, ValidationFailed

MAX_CALLER_CASES = 50
SUGGESTIONS = 3
ARTICLES = 3
SIMILAR = 5


class RouteSuggester(Protocol):
    """Smart routing as the hotline sees it (platform.routing)."""

    @property
    def available(self) -> bool: ...

    @property
    def model_version(self) -> str | None: ...

    def suggest(
        self,
        session: Session,
        text: str,
        *,
        lon: float | None = None,
        lat: float | None = None,
        crs: str = "wgs84",
        k: int = 3,
    ) -> Sequence[RouteSuggestion]: ...


class AppealRecords(Protocol):
    """The citizen channel's appeal record (type, tracking code) of a new case."""

    def record_appeal(
        self,
        session: Session,
        *,
        case_id: int,
        tracking_code: str,
        appeal_type: str,
        anonymous: bool,
        category_by: str,
    ) -> None: ...


class RecipientRegistry(Protocol):
    def add_recipient(self, session: Session, case_id: int, channel: str, address: str) -> None: ...


class HotlineService:
    """platform.hotline"""

    def __init__(
        self,
        *,
        cases: CaseService,
        duplicates: DuplicateService,
        knowledge: KnowledgeService,
        geo: GeoService,
        city_code: str | None = None,
        routing: RouteSuggester | None = None,
        appeals: AppealRecords | None = None,
        recipients: RecipientRegistry | None = None,
    ) -> None:
        self.cases = cases
        self.duplicates = duplicates
        self.knowledge = knowledge
        self.geo = geo
        # where a consultation without a place is filed; None: the top-level area in geo
        self.city_code = city_code
        self.routing = routing
        self.appeals = appeals
        self.recipients = recipients

    # ---- reads -----------------------------------------------------------------------------

    def mode_rights(self, actor: Actor) -> ModeRights:
        policy.check_use_hotline(actor)
        return policy.mode_rights(actor)

    def caller_appeals(
        self, session: Session, actor: Actor, phone: str, *, limit: int = 20
    ) -> list[CallerCase]:
        """The caller's earlier cases (this number, in the actor's scope), newest first."""
        policy.check_use_hotline(actor)
        if not 1 <= limit <= MAX_CALLER_CASES:
            raise ValidationFailed(f"limit must be in [1, {MAX_CALLER_CASES}]", code="bad_limit")
        number = checked_phone(phone)
        if number is None:
            raise ValidationFailed("give the caller's phone number", code="phone_required")
        return [caller_case(v) for v in self.cases.caller_cases(session, actor, number, limit)]

    def assist(self, session: Session, actor: Actor, query: AssistQuery) -> Assistance:
        """Routing suggestions (top 3), similar open cases near the point (when there is one),
        knowledge-base answers and, with a phone, the caller's earlier appeals."""
        policy.check_use_hotline(actor)
        text = (query.text or "").strip()[:TEXT_MAX]
        if not text:
            raise ValidationFailed("give the text of the call", code="text_required")
        routing = self.routing
        suggestions: tuple[RouteSuggestion, ...] = ()
        version: str | None = None
        if routing is not None and routing.available:
            version = routing.model_version
            suggestions = tuple(
                routing.suggest(session, text, lon=query.lon, lat=query.lat, k=SUGGESTIONS)
            )
        similar: tuple[SimilarCase, ...] = ()
        if query.lon is not None and query.lat is not None:
            similar = tuple(
                self.duplicates.similar_to_text(
                    session, actor, text, query.lon, query.lat, limit=SIMILAR
                )
            )
        articles = tuple(self.knowledge.search(session, actor, text, limit=ARTICLES))
        phone = normalized_phone(query.phone)
        caller = (  # a number still being typed is no reason to fail the rest
            tuple(self.caller_appeals(session, actor, phone, limit=10))
            if phone and valid_phone(phone)
            else ()
        )
        return Assistance(
            suggestions=suggestions,
            model_version=version,
            similar=similar,
            articles=articles,
            caller=caller,
        )

    # ---- taking the call -------------------------------------------------------------------

    def take_call(self, uow: UnitOfWork, actor: Actor, cmd: NewCall) -> CallReceipt:
        """File the call as a hotline case and, by mode, register and dispatch it (直派) or
        answer and close it (直接办结), or merge it into an open case — all in `uow`: when
        any step is refused, the caller's transaction leaves no case behind."""
        policy.check_use_hotline(actor)
        mode = call_mode(cmd.mode)
        policy.check_take_call(actor, mode, merging=cmd.merge_into is not None)
        check_fields_for_mode(cmd, mode)
        kind = appeal_type(cmd.appeal_type)
        text = checked_text(cmd.text)
        phone = checked_phone(cmd.phone)
        session = uow.session
        article: Article | None = None
        answer = ""
        if mode is CallMode.answer:
            if kind is not AppealType.consultation:
                raise ValidationFailed(
                    "直接办结 is for consultations (咨询): choose appeal type consultation, or "
                    "record the call",
                    code="answer_needs_consultation",
                )
            article = self._article(session, actor, cmd.article_code)
            answer = (cmd.answer or "").strip() or (article.answer if article else "")
            if not answer:
                raise ValidationFailed(
                    "直接办结 needs the answer given: pick a knowledge article or write it",
                    code="answer_required",
                )
        category = (
            (cmd.category_code or "").strip()
            or (article.category_code if article is not None else None)
            or (DEFAULT_CONSULTATION_CATEGORY if mode is CallMode.answer else None)
        )
        if not category:
            raise ValidationFailed("choose the category of the call", code="category_required")
        area_code = (cmd.area_code or "").strip() or None
        if mode is CallMode.answer and (cmd.lon is None or cmd.lat is None) and not area_code:
            # a consultation need not have a place: it is filed at the city
            area_code = self.city_code or self.geo.root_area(session).code
        view = self.cases.create_case(
            uow,
            actor,
            NewCase(
                source=CaseSource.hotline,
                title=case_title(kind, text),
                description=text,
                category_code=category,
                lon=cmd.lon,
                lat=cmd.lat,
                crs=cmd.crs,
                area_code=area_code,
                address=cmd.address,
                reporter_name=(cmd.caller_name or "").strip() or None,
                reporter_phone=phone,
            ),
        )
        if self.appeals is not None:
            self.appeals.record_appeal(
                session,
                case_id=view.id,
                tracking_code=view.tracking_code,
                appeal_type=kind.value,
                anonymous=phone is None,
                category_by="operator",
            )
        sms = False
        if phone is not None and is_mobile(phone) and self.recipients is not None:
            self.recipients.add_recipient(session, view.id, "sms", phone)
            sms = True
        merged_into: str | None = None
        note = (cmd.note or "").strip()
        if mode is CallMode.dispatch:
            view = self._act(uow, actor, view, CaseAction.register, note=DIRECT_DISPATCH_NOTE)
            view = self._act(
                uow, actor, view, CaseAction.dispatch, note=note, department=cmd.department_code
            )
        elif mode is CallMode.answer:
            view = self.cases.act(
                uow,
                actor,
                view.id,
                CaseAction.answer,
                ActionCommand(
                    version=view.version,
                    note=note,
                    answer=answer,
                    article_code=article.code if article is not None else None,
                ),
            )
        elif cmd.merge_into is not None:
            view = self.cases.act(
                uow,
                actor,
                view.id,
                CaseAction.merge,
                ActionCommand(
                    version=view.version,
                    note=note or REPEAT_CALL_NOTE,
                    into_case_id=cmd.merge_into,
                ),
            )
            target = self.cases.get_case(session, actor, cmd.merge_into)
            merged_into = target.number
        return CallReceipt(mode=mode, case=view, merged_into_number=merged_into, sms=sms)

    def _act(
        self,
        uow: UnitOfWork,
        actor: Actor,
        view: CaseView,
        action: CaseAction,
        *,
        note: str,
        department: str | None = None,
    ) -> CaseView:
        cmd = ActionCommand(
            version=view.version, note=note, department_code=(department or "").strip() or None
        )
        return self.cases.act(uow, actor, view.id, action, cmd)

    def _article(self, session: Session, actor: Actor, code: str | None) -> Article | None:
        code = (code or "").strip()
        if not code:
            return None
        try:
            article = self.knowledge.get_article(session, actor, code)
        except NotFound:
            raise ValidationFailed(
                f"no knowledge article {code!r}", code="unknown_article", article=code
            ) from None
        if not article.active:
            raise ValidationFailed(
                f"knowledge article {code} is no longer in use", code="inactive_article"
            )
        return article
