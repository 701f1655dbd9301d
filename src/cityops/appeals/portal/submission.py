"""Appeal submission from the portal (市民诉求受理): check everything a citizen sent, open the
case in the case engine, keep the portal's appeal record and store the photos. Files live outside
the database transaction, so this use case owns the transaction: if anything fails, the files it
wrote are removed and nothing of the appeal remains."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from cityops.appeals.portal import policy, store
from cityops.appeals.portal.model import (
    ADDRESS_MAX,
    AppealReceipt,
    NewAppeal,
    appeal_type,
    case_title,
    checked_description,
    checked_mobile,
)
from cityops.appeals.portal.photos import PhotoStore, check_photos
from cityops.cases.public import CaseService, CaseSource, NewCase
from cityops.geo.public import GeoService
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import NotFound, ValidationFailed

UowFactory = Callable[[], AbstractContextManager[UnitOfWork]]
Reads = Callable[[], AbstractContextManager[Session]]
AUTO_CATEGORY = ("", "auto")  # "let the system decide" (由系统判断)


class CategorySuggester(Protocol):
    """Smart routing (智能分拨) as the portal sees it: the best category code for a text, or
    None when unsure. The routing package provides one; the portal runs without it."""

    def suggest_category(self, session: Session, text: str) -> str | None: ...


class RecipientRegistry(Protocol):
    """Citizen notifications as the portal sees them: remember the contact of a new case."""

    def add_recipient(self, session: Session, case_id: int, channel: str, address: str) -> None: ...


@dataclass(frozen=True)
class Place:
    """Where a new appeal is: a point, or an area's own point standing for the area."""

    lon: float
    lat: float
    crs: str
    area_code: str | None
    approximate: bool


class Intake:
    def __init__(
        self,
        *,
        cases: CaseService,
        geo: GeoService,
        clock: Clock,
        photos: PhotoStore,
        fallback_category: str = "A13",  # 咨询建议, the most general appeal category
        suggester: CategorySuggester | None = None,
        recipients: RecipientRegistry | None = None,
        reads: Reads | None = None,
    ) -> None:
        self.recipients = recipients
        self.reads = reads  # read-only sessions: the category is chosen before the write
        self.cases = cases
        self.geo = geo
        self.clock = clock
        self.photos = photos
        self.fallback_category = fallback_category
        self.suggester = suggester

    def submit_appeal(self, uows: UowFactory, actor: Actor, cmd: NewAppeal) -> AppealReceipt:
        policy.check_submit_appeal(actor)
        kind = appeal_type(cmd.appeal_type)
        description = checked_description(cmd.description)
        phone = checked_mobile(cmd.phone, cmd.anonymous)
        address = (cmd.address or "").strip()[:ADDRESS_MAX] or None
        pinned = cmd.lon is not None and cmd.lat is not None
        if not pinned and not (cmd.area_code or "").strip() and address is None:
            raise ValidationFailed(
                "say where it is: click the map, use your location, type an address that "
                "names the street or community (e.g. 石桥街道华丰社区…), or choose the street "
                "or community from the list",
                code="location_required",
            )
        checked = check_photos(cmd.photos)
        now = self.clock.now()
        names = [self.photos.name_for(p, now) for p in checked]
        written: list[str] = []
        chosen: tuple[str, str] | None = None
        place: Place | None = None
        if self.reads is not None:  # the model runs before SQLite's write lock is taken
            with self.reads() as reading:
                place = self._place(reading, cmd, address)
                chosen = self._category(reading, cmd.category_code, description)
        try:
            with uows() as uow:
                place = place or self._place(uow.session, cmd, address)
                code, category_by = chosen or self._category(
                    uow.session, cmd.category_code, description
                )
                view = self.cases.create_case(
                    uow,
                    actor,
                    NewCase(
                        source=CaseSource.web,
                        title=case_title(kind, description),
                        description=description,
                        category_code=code,
                        lon=place.lon,
                        lat=place.lat,
                        crs=place.crs,
                        area_code=place.area_code,
                        approximate=place.approximate,
                        address=address,
                        reporter_phone=phone,
                        photos=tuple(self.photos.url(n) for n in names),
                    ),
                )
                store.insert_appeal(
                    uow.session,
                    case_id=view.id,
                    tracking_code=view.tracking_code,
                    appeal_type=kind.value,
                    anonymous=phone is None,
                    category_by=category_by,
                    at=now,
                )
                if phone is not None and self.recipients is not None:
                    self.recipients.add_recipient(uow.session, view.id, "sms", phone)
                for name, photo in zip(names, checked, strict=True):
                    store.insert_photo(
                        uow.session,
                        case_id=view.id,
                        path=name,
                        content_type=photo.content_type,
                        size_bytes=len(photo.data),
                        sha256=photo.sha256,
                        at=now,
                    )
                    self.photos.write(name, photo)
                    written.append(name)
        except BaseException:
            for name in written:
                self.photos.delete(name)
            raise
        return AppealReceipt(
            tracking_code=view.tracking_code,
            case_number=view.number,
            appeal_type=kind,
            category_code=view.category_code,
            category_name=view.category_name,
            category_by=category_by,
            expected_by=self.cases.expected_by(view),
            photos=tuple(self.photos.url(n) for n in names),
            place=" ".join(
                a.name for a in (view.area.district, view.area.street, view.area.community) if a
            ),
            approximate=place.approximate,
        )

    def _place(self, session: Session, cmd: NewAppeal, address: str | None) -> Place:
        """Where the appeal is: the point clicked or found by the browser; else the street or
        community chosen from the list; else the one the address names (the local gazetteer).
        The last two are approximate: the area's own point stands for the spot."""
        if cmd.lon is not None and cmd.lat is not None:
            return Place(cmd.lon, cmd.lat, cmd.crs, None, approximate=False)
        geo = self.geo
        if code := (cmd.area_code or "").strip():
            try:
                area = geo.get_area(session, code)
            except NotFound as exc:
                raise ValidationFailed(
                    f"unknown street or community {code!r}: choose one from the list",
                    code="unknown_area",
                ) from exc
            lon, lat = geo.representative_point(session, area.code)
            return Place(lon, lat, "wgs84", area.code, approximate=True)
        assert address is not None
        found = geo.place_for_address(session, address)
        if found is None:
            raise ValidationFailed(
                f"the address {address!r} names no street or community we know: name the "
                "street or community in it (e.g. 石桥街道华丰社区…), choose it from the list, "
                "click the map or use your location",
                code="address_not_placed",
            )
        return Place(found.lon, found.lat, "wgs84", found.area.code, approximate=True)

    def _category(self, session: Session, chosen: str | None, text: str) -> tuple[str, str]:
        chosen = (chosen or "").strip()
        if chosen not in AUTO_CATEGORY:
            return chosen, "citizen"
        if self.suggester is not None:
            suggested = self.suggester.suggest_category(session, text)
            if suggested:
                return suggested, "system"
        return self.fallback_category, "system"
