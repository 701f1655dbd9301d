"""Key sites (重点场所): import a file's sites (all or none), list them for the map, one site
with the open cases near it, remove a kind. Imports and removals are for administrators; reads
follow the city map's policy, narrowed to the reader's areas when the reader has any."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cityops.cases.public import OPEN_STATUSES, CaseFilter, count_cases
from cityops.geo.public import CoordSystem, GeoService
from cityops.insight.keysites import store
from cityops.insight.keysites.model import (
    RowError,
    SiteRow,
    kinds_of,
    near_box,
)
from cityops.insight.keysites.policy import may_manage_key_sites, may_view_key_sites
from cityops.insight.keysites.store import KeySite
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import NotFound, ValidationFailed

MAX_LISTED = 20_000  # a list answers at most this many sites
MAX_ERRORS_SHOWN = 1_000


@dataclass(frozen=True)
class KeySiteImport:
    batch: str
    imported: int
    replaced: int  # sites of the file's kinds removed first (replace=true)
    kinds: list[str]


@dataclass(frozen=True)
class KeySiteDetail:
    site: KeySite
    open_cases: int  # open cases in `near_bbox`, in the reader's case scope
    near_bbox: tuple[float, float, float, float]


class KeySitesRejected(ValidationFailed):
    """A file with wrong rows: nothing was written."""

    def __init__(self, rows: int, errors: Sequence[RowError]) -> None:
        super().__init__(
            f"{len(errors)} errors in the file; no key site was imported",
            code="key_sites_rejected",
            rows=rows,
            error_count=len(errors),
            errors=[
                {"row": e.row, "field": e.field, "code": e.code, "message": e.message}
                for e in errors[:MAX_ERRORS_SHOWN]
            ],
        )


class KeySiteService:
    def __init__(self, geo: GeoService, clock: Clock) -> None:
        self._geo = geo
        self._clock = clock

    def may_manage(self, actor: Actor) -> None:
        """Refuse anyone but an administrator before a file is read."""
        may_manage_key_sites(actor)

    def import_sites(
        self,
        session: Session,
        actor: Actor,
        rows: Sequence[SiteRow],
        errors: Sequence[RowError] = (),
        *,
        crs: CoordSystem = CoordSystem.wgs84,
        replace: bool = False,
    ) -> KeySiteImport:
        """Store the rows' sites, each located in the city's areas (a point outside every area
        is a wrong row) — all of them, or none when any row is wrong (KeySitesRejected, 422,
        every error by row and field). `replace`: the sites of the file's kinds are removed
        first, in the same transaction."""
        may_manage_key_sites(actor)
        found = list(errors)
        sites: list[store.NewSite] = []
        for r in rows:
            try:
                lon, lat = self._geo.to_wgs84(r.lon, r.lat, crs)
                chain = self._geo.locate(session, lon, lat)
            except ValidationFailed as exc:
                found.append(RowError(r.row, "lon", exc.code, exc.message))
                continue
            sites.append(
                store.NewSite(
                    r.kind,
                    r.name,
                    round(lon, 7),
                    round(lat, 7),
                    chain.smallest.code,
                    r.address,
                    dict(r.properties),
                )
            )
        if found:
            found.sort(key=lambda e: e.row)
            raise KeySitesRejected(len(rows) + len({e.row for e in errors}), found)
        if not sites:
            raise ValidationFailed("the file holds no site", code="key_sites_empty")
        kinds = kinds_of(rows)
        replaced = store.delete_kinds(session, kinds) if replace else 0
        batch = uuid.uuid4().hex
        store.insert_sites(session, sites, self._clock.now(), batch)
        return KeySiteImport(batch, len(sites), replaced, kinds)

    def delete_kind(self, session: Session, actor: Actor, kind: str) -> int:
        """Remove every site of `kind`; answers how many."""
        may_manage_key_sites(actor)
        return store.delete_kinds(session, [kind])

    def list_sites(
        self,
        session: Session,
        actor: Actor,
        *,
        kinds: Sequence[str] = (),
        bbox: tuple[float, float, float, float] | None = None,
    ) -> list[KeySite]:
        """The sites of `kinds` (all when none) inside `bbox`, in the reader's areas when the
        reader has any; at most MAX_LISTED."""
        may_view_key_sites(actor)
        return store.select_sites(
            session, kinds=kinds, bbox=bbox, area_prefixes=actor.area_codes, limit=MAX_LISTED
        )

    def kind_counts(self, session: Session, actor: Actor) -> list[tuple[str, int]]:
        """Per kind, how many sites the reader sees."""
        may_view_key_sites(actor)
        return store.count_per_kind(session, actor.area_codes)

    def site_detail(self, session: Session, actor: Actor, site_id: int) -> KeySiteDetail:
        """One site with the open cases (in the reader's case scope) within NEAR_M metres east,
        west, north and south of it — the bbox the case list link opens. 404 for a site outside
        the reader's areas."""
        may_view_key_sites(actor)
        site = store.get_site(session, site_id)
        if site is None or (
            actor.area_codes and not any(site.area_code.startswith(a) for a in actor.area_codes)
        ):
            raise NotFound(f"no key site {site_id}", code="key_site_not_found")
        box = near_box(site.lon, site.lat)
        f = CaseFilter(statuses=tuple(sorted(OPEN_STATUSES)), bbox=box)
        return KeySiteDetail(site, count_cases(session, actor, f, self._clock.now()), box)
