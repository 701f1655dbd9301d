"""Open311 use cases (platform.open311): api keys, submitting a service request as a case, and
the public reads (services, requests, tokens, updates). Each method that takes an actor checks
its rule in policy.py first."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from cityops.appeals.appeal_types import AppealType
from cityops.appeals.open311 import feeds, inputs, model, policy, publication, store
from cityops.appeals.open311.inputs import RequestQuery
from cityops.appeals.open311.keys import ApiKey, IssuedKey, checked_name, key_hash, new_api_key
from cityops.appeals.open311.limits import Open311Limiter, Open311Limits
from cityops.appeals.open311.model import (
    Receipt,
    RequestUpdate,
    Service,
    ServiceDefinition,
    ServiceRequest,
    Submission,
)
from cityops.appeals.portal.public import AppealRecord
from cityops.cases.public import (
    CaseFilter,
    CaseService,
    CaseSource,
    CaseStatus,
    CaseView,
    NewCase,
    PreparedCase,
    is_mobile,
)
from cityops.geo.public import AreaLevel, GeoService
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import Clock
from cityops.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from cityops.kernel.ids import normalize_tracking_code
from cityops.kernel.ttl_cache import TtlCache
from cityops.taxonomy.public import TaxonomyService

# The Open311 feed is a public read model over the cases its publication policy publishes
# (publication.py: citizen appeals, not the city's internal cases): it reads as a citywide role
# that never sees contacts (leader), and publishes only the fields of model.request_from_case.
PUBLIC_READER = Actor(
    user_id=None, username="open311:reader", roles=frozenset({Role.leader}), display_name="Open311"
)
NUMBER_MAX = 32  # a longer service_request_id names no case
KEY_STAMP_EVERY = timedelta(minutes=1)  # last_used_at is written at most once a minute
# authenticate() remembers a key's lookup this long; submit_request re-reads the key anyway, so a
# key revoked in another process is refused at once all the same.
KEY_CACHE_SECONDS = 5.0

Reads = Callable[[], AbstractContextManager[Session]]


class AppealRecords(Protocol):
    """The citizen channel's appeal records (the portal keeps them): with one, the request's
    token is a tracking code that works on /portal/track."""

    def record_appeals(self, session: Session, records: Sequence[AppealRecord]) -> None: ...


class RecipientRegistry(Protocol):
    """Citizen notifications: who hears about a new case, (case_id, channel, address)."""

    def add_recipients(self, session: Session, items: Sequence[tuple[int, str, str]]) -> None: ...


@dataclass(frozen=True)
class PreparedRequest:
    """A checked Open311 submission: its prepared case, the key it came with, its appeal type
    and the submitter's contacts for notifications ((channel, address): sms for a mobile
    number, email for an e-mail address)."""

    case: PreparedCase
    key: ApiKey
    account_id: str | None
    appeal_type: AppealType = AppealType.complaint
    contacts: tuple[tuple[str, str], ...] = ()


class Open311Service:
    """platform.open311"""

    def __init__(
        self,
        *,
        cases: CaseService,
        taxonomy: TaxonomyService,
        geo: GeoService,
        clock: Clock,
        reads: Reads,
        appeals: AppealRecords | None = None,
        recipients: RecipientRegistry | None = None,
        limits: Open311Limits | None = None,
    ) -> None:
        self.appeals = appeals
        self.recipients = recipients
        self.cases = cases
        self.taxonomy = taxonomy
        self.geo = geo
        self.clock = clock
        self._reads = reads  # read-only sessions (never SQLite's writer lock)
        self.limiter = Open311Limiter(limits or Open311Limits(), lambda: clock.now().timestamp())
        self._keys: TtlCache[ApiKey | None] = TtlCache(KEY_CACHE_SECONDS)

    # ---- api keys --------------------------------------------------------------------------

    def create_key(self, uow: UnitOfWork, actor: Actor, name: str) -> IssuedKey:
        policy.check_manage_keys(actor)
        name = checked_name(name)
        if store.get_key(uow.session, name=name) is not None:
            raise Conflict(f"an api key named {name!r} exists already", code="key_name_taken")
        api_key = new_api_key()
        key = store.insert_key(
            uow.session, name=name, key_hash=key_hash(api_key), at=self.clock.now()
        )
        return IssuedKey(key=key, api_key=api_key)

    def list_keys(self, session: Session, actor: Actor) -> list[ApiKey]:
        policy.check_manage_keys(actor)
        return store.list_keys(session)

    def revoke_key(self, uow: UnitOfWork, actor: Actor, key_id: int) -> ApiKey:
        policy.check_manage_keys(actor)
        key = store.get_key(uow.session, key_id=key_id)
        if key is None:
            raise NotFound(f"api key {key_id} not found", code="key_not_found")
        if key.revoked_at is None:
            store.set_key(uow.session, key_id, revoked_at=self.clock.now())
        self._keys.clear()
        revoked = store.get_key(uow.session, key_id=key_id)
        assert revoked is not None
        return revoked

    def authenticate(self, session: Session, api_key: str | None) -> Actor:
        """The integration actor (open311:<key name>) behind an api key; PermissionDenied for
        a missing, unknown or revoked key."""
        if not api_key or not api_key.strip():
            raise PermissionDenied("api_key is required", code="api_key_required")
        digest = key_hash(api_key.strip())
        key = self._keys.get_or_load(digest, lambda: store.get_key(session, key_hash=digest))
        if key is None or key.revoked_at is not None:
            raise PermissionDenied("invalid api_key", code="invalid_api_key")
        return Actor(
            user_id=None,
            username=f"{policy.ACTOR_PREFIX}{key.name}",
            roles=frozenset({Role.integration}),
            display_name=f"Open311 {key.name}",
        )

    # ---- POST requests ---------------------------------------------------------------------

    def submit_request(self, uow: UnitOfWork, actor: Actor, sub: Submission) -> Receipt:
        """Create a case (source open311) from a checked submission, in the caller's
        transaction: on any error nothing is written."""
        with self._reads() as reading:
            prepared = self.prepare_request(reading, actor, sub)
        (receipt,) = self.store_requests(uow, [prepared])
        return receipt

    def prepare_request(self, session: Session, actor: Actor, sub: Submission) -> PreparedRequest:
        """Check a submission and build its case without writing (403 for a key revoked since
        it was looked up, 422 for the service, the place and the case's own checks); the write
        is `store_requests`, for many at once. Reads only."""
        policy.check_submit_request(actor)
        key_name = actor.username.removeprefix(policy.ACTOR_PREFIX)
        key = store.get_key(session, name=key_name)
        if key is None or key.revoked_at is not None:
            raise PermissionDenied("invalid api_key", code="invalid_api_key")
        service_name = self._leaf_name(session, sub.service_code)
        case = self.cases.prepare_case(
            session,
            actor,
            NewCase(
                source=CaseSource.open311,
                title=model.title_of(sub, service_name),
                description=sub.description,
                category_code=sub.service_code,
                lon=sub.long,
                lat=sub.lat,
                area_code=self._area_code(session, sub),
                address=sub.address_string,
                reporter_name=sub.reporter_name,
                reporter_phone=sub.phone,
                photos=(sub.media_url,) if sub.media_url else (),
            ),
        )
        phone = case.reporter_phone
        contacts: list[tuple[str, str]] = []
        if phone and is_mobile(phone):
            contacts.append(("sms", phone))
        if sub.email:
            contacts.append(("email", sub.email))
        return PreparedRequest(
            case,
            key,
            sub.account_id,
            appeal_type=sub.appeal_type or AppealType.complaint,
            contacts=tuple(contacts),
        )

    def store_requests(self, uow: UnitOfWork, prepared: Sequence[PreparedRequest]) -> list[Receipt]:
        """Write prepared requests: their cases, the request rows, the appeal records (so the
        token is a portal tracking code) and the submitters' contacts (one statement each),
        and the keys' last use; the receipts, in order."""
        stored = self.cases.store_cases(uow, [p.case for p in prepared])
        now = self.clock.now()
        store.insert_requests(
            uow.session,
            [
                {
                    "case_id": row.id,
                    "case_number": row.number,
                    "token": row.tracking_code,
                    "api_key_id": p.key.id,
                    "account_id": p.account_id,
                    "created_at": now,
                }
                for p, row in zip(prepared, stored, strict=True)
            ],
        )
        if self.appeals is not None:
            self.appeals.record_appeals(
                uow.session,
                [
                    AppealRecord(
                        case_id=row.id,
                        tracking_code=row.tracking_code,
                        appeal_type=p.appeal_type.value,
                        anonymous=not p.contacts and not row.reporter_phone,
                        category_by="citizen",  # the submitter chose the service
                    )
                    for p, row in zip(prepared, stored, strict=True)
                ],
            )
        if self.recipients is not None:
            self.recipients.add_recipients(
                uow.session,
                [
                    (row.id, channel, address)
                    for p, row in zip(prepared, stored, strict=True)
                    for channel, address in p.contacts
                ],
            )
        stale = {
            p.key.id
            for p in prepared
            if p.key.last_used_at is None or now - p.key.last_used_at >= KEY_STAMP_EVERY
        }
        for key_id in sorted(stale):
            store.set_key(uow.session, key_id, last_used_at=now)
        return [
            Receipt(
                service_request_id=row.number,
                service_notice=model.notice(row.number, row.close_deadline),
                account_id=p.account_id,
                token=row.tracking_code,
            )
            for p, row in zip(prepared, stored, strict=True)
        ]

    def _leaf_name(self, session: Session, code: str) -> str:
        taxonomy = self.taxonomy
        category = taxonomy.active_leaf(session, code)
        if category is None:
            raise ValidationFailed(
                f"unknown service_code {code!r}: see services.json for the codes",
                code="unknown_service_code",
            )
        return category.name

    def _area_code(self, session: Session, sub: Submission) -> str | None:
        if sub.lat is not None:
            return None  # the point decides (the case engine locates it)
        if sub.address_id is not None:
            try:
                return self.geo.get_area(session, sub.address_id).code
            except NotFound as exc:
                raise ValidationFailed(
                    f"unknown address_id {sub.address_id!r}: give an area code of the city",
                    code="unknown_address_id",
                ) from exc
        assert sub.address_string is not None
        # the gazetteer the portal uses (streets, communities, grids, also without 街道/社区),
        # then a district named alone
        place = self.geo.place_for_address(session, sub.address_string)
        if place is not None:
            return place.area.code
        districts = [(a.code, a.name) for a in self.geo.list_areas(session, AreaLevel.district)]
        code = inputs.match_area(sub.address_string, districts)
        if code is None:
            raise ValidationFailed(
                f"cannot place address_string {sub.address_string!r}: it names no district, "
                "street or community of the city; send lat and long instead",
                code="address_not_found",
            )
        return code

    # ---- public reads ----------------------------------------------------------------------

    def services(self, session: Session, actor: Actor) -> list[Service]:
        policy.check_read_public(actor)
        taxonomy = self.taxonomy
        every = taxonomy.list_categories(session)
        names = {c.code: c.name for c in every}
        leaves = taxonomy.list_categories(session, leaf_only=True)
        return [model.service_from_category(c, names) for c in leaves]

    def service_definition(self, session: Session, actor: Actor, code: str) -> ServiceDefinition:
        policy.check_read_public(actor)
        taxonomy = self.taxonomy
        category = taxonomy.active_leaf(session, code)
        if category is None:
            raise NotFound(f"service_code {code!r} not found", code="unknown_service_code")
        return model.service_definition(code)

    def get_request(self, session: Session, actor: Actor, number: str) -> ServiceRequest:
        policy.check_read_public(actor)
        case = self._cases_by_number(session, [number]).get(number)
        if case is None:
            raise NotFound(f"service request {number!r} not found", code="request_not_found")
        media = self._media(session, [case])
        targets = self._merge_targets(session, [case])
        return self._request(case, targets, media_url=media.get(case.id, ""))

    def _media(self, session: Session, found: Sequence[CaseView]) -> dict[int, str]:
        """Case id → the stored reference of the photo its request publishes: the first photo
        of a result step (publication.py), for the sources whose policy shows them."""
        shown = [c for c in found if publication.policy_of(c.source).result_photos]
        if not shown:
            return {}
        first = self.cases.first_attachments(
            session, PUBLIC_READER, [c.id for c in shown], sorted(publication.RESULT_STEPS)
        )
        return {
            c.id: ref
            for c in shown
            if (ref := publication.request_photo(c.source, first.get(c.id, "")))
        }

    def token(self, session: Session, actor: Actor, token: str) -> tuple[str, str]:
        """(service_request_id, token) of a request submitted through Open311."""
        policy.check_read_public(actor)
        token = normalize_tracking_code(token)
        found = store.case_of_token(session, token)
        if found is None:
            raise NotFound(f"token {token!r} not found", code="token_not_found")
        return found[1], token

    def list_requests(
        self, session: Session, actor: Actor, query: RequestQuery
    ) -> list[ServiceRequest]:
        """The requests of `query`: by their ids, or reported in its window, newest first; at
        most MAX_RESULTS. A fixed number of statements however many cases match."""
        policy.check_read_public(actor)
        if query.ids:
            wanted = query.ids[: model.MAX_RESULTS]
            by_number = self._cases_by_number(session, wanted)
            found = [by_number[n] for n in wanted if n in by_number]
            media = self._media(session, found)
            targets = self._merge_targets(session, found)
            return [self._request(c, targets, media_url=media.get(c.id, "")) for c in found]
        start, end = model.window(
            query.start,
            query.end,
            self.clock.now(),
            default=model.REQUEST_WINDOW,
            longest=model.REQUEST_WINDOW,
        )
        filters = self._filters(start, end, query)
        cases = self._cases_between(session, filters, query)
        targets = (
            self.cases.merge_targets(session, PUBLIC_READER, filters)
            if any(c.merged_into_id is not None for c in cases)
            else {}
        )
        kept: list[tuple[CaseView, ServiceRequest]] = []
        for case in cases:
            item = self._request(case, targets)
            # a merged case has the status of the case it was merged into
            if not query.statuses or item.status in query.statuses:
                kept.append((case, item))
            if len(kept) >= model.MAX_RESULTS:
                break
        media = self._media(session, [case for case, _item in kept])
        return [replace(item, media_url=media.get(case.id, "")) for case, item in kept]

    def _merge_targets(self, session: Session, found: Sequence[CaseView]) -> dict[int, CaseView]:
        merged = [c.id for c in found if c.merged_into_id is not None]
        return self.cases.merge_targets(session, PUBLIC_READER, merged) if merged else {}

    @staticmethod
    def _request(
        case: CaseView, targets: Mapping[int, CaseView], *, media_url: str = ""
    ) -> ServiceRequest:
        """The case as a request; a merged case shares the outcome of the last case of its
        chain (`targets`: the chains' cases, read at once)."""
        return model.request_from_case(
            case, media_url=media_url, merged_into=feeds.merge_target(case, targets)
        )

    def list_updates(
        self, session: Session, actor: Actor, start: datetime | None, end: datetime | None
    ) -> list[RequestUpdate]:
        """Every public step in [start, end] (default: the last 7 days) of cases reported within
        the year before `start`, oldest first, at most MAX_RESULTS: two statements however many
        cases and steps (the window's lines, and the merged cases with their merge lines)."""
        policy.check_read_public(actor)
        start, end = model.window(
            start,
            end,
            self.clock.now(),
            default=model.UPDATE_WINDOW,
            longest=model.UPDATE_MAX_WINDOW,
        )
        filters = self._filters(start - model.UPDATE_LOOKBACK, end, RequestQuery())
        window = self.cases.step_window(session, PUBLIC_READER, filters, start, end)
        return feeds.request_updates(window)

    @staticmethod
    def _filters(start: datetime, end: datetime, query: RequestQuery) -> CaseFilter:
        """The case filter of a request query's window [start, end] (a list of service codes
        is checked after the read)."""
        codes = set(query.service_codes)
        statuses = inputs.case_statuses(query.statuses)
        if statuses and CaseStatus.cancelled not in statuses:
            statuses += (CaseStatus.cancelled,)  # merged cases: their status is decided later
        return CaseFilter(
            statuses=statuses,
            sources=publication.PUBLISHED_SOURCES,
            category_code=next(iter(codes)) if len(codes) == 1 else None,
            reported_from=start,
            reported_to=end + timedelta(microseconds=1),  # end_date is included
        )

    def _cases_between(
        self, session: Session, filters: CaseFilter, query: RequestQuery
    ) -> list[CaseView]:
        """Cases of the filter matching the query's service codes, newest first."""
        codes = set(query.service_codes)
        found = [
            c
            for c in self.cases.iter_cases(session, PUBLIC_READER, filters)
            if not codes or c.category_code in codes
        ]
        found.sort(key=lambda c: (c.reported_at, c.id), reverse=True)
        return found

    def _cases_by_number(self, session: Session, numbers: Sequence[str]) -> dict[str, CaseView]:
        """Case number → case for those of `numbers` that name a published case (exact
        matches; a case of a source the feed does not publish is not found)."""
        wanted = [n for n in numbers if n and len(n) <= NUMBER_MAX]
        if not wanted:
            return {}
        return self.cases.cases_by_number(
            session, PUBLIC_READER, wanted, publication.PUBLISHED_SOURCES
        )
