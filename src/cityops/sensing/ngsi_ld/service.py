"""NGSI-LD use cases: query and retrieve entities, their temporal evolution and aggregates.
Each checks `may_view_sensing` (staff) first.

Aggregates come from the rollups when the period is one of theirs (PT1M, PT1H, P1D), `timeAt`
is on one of their bucket starts (a day bucket starts at 00:00 Beijing time, 16:00 UTC) and
every method is one a rollup holds (totalCount, sum, avg, min, max). A period that may still
change (ending less than `SETTLED_MS` ago: the rollup job recomputes the last 2 hours each run)
or that has no rollup row is computed from raw points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.sensing import policy
from cityops.sensing.buckets import PERIOD_MS, Period, bucket_start
from cityops.sensing.ngsi_ld import store
from cityops.sensing.ngsi_ld.mapping import (
    CORE_CONTEXT,
    DeviceView,
    attribute_map,
    iso_ms,
    plain_attributes,
    split_entity_id,
    to_entity,
    unit_code,
)
from cityops.sensing.ngsi_ld.problems import not_found
from cityops.sensing.ngsi_ld.qlang import matches
from cityops.sensing.ngsi_ld.query import EntityQuery
from cityops.sensing.ngsi_ld.temporal import (
    MAX_INSTANCES,
    ROLLUP_METHODS,
    Stats,
    TemporalQuery,
    aggregated_attribute,
)

ROLLUP_PERIODS = {PERIOD_MS[period]: period for period in Period}
SETTLED_MS = 3 * 3_600_000  # the rollup job's 2-hour lateness window and a margin


@dataclass(frozen=True)
class EntityPage:
    entities: list[dict[str, Any]]
    total: int  # matches before limit/offset


class NgsiLdService:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    # -- entities ---------------------------------------------------------------------------
    def query_entities(
        self, session: Session, actor: Actor, query: EntityQuery, *, context_in_body: bool
    ) -> EntityPage:
        policy.may_view_sensing(actor)
        found = self._matching(session, query)
        page = found[query.offset : query.offset + query.limit]
        return EntityPage(
            [
                to_entity(
                    d,
                    attrs=query.attrs,
                    key_values=query.key_values,
                    context_in_body=context_in_body,
                )
                for d in page
            ],
            len(found),
        )

    def retrieve_entity(
        self,
        session: Session,
        actor: Actor,
        entity_id: str,
        *,
        attrs: frozenset[str] | None,
        key_values: bool,
        context_in_body: bool,
    ) -> dict[str, Any]:
        policy.may_view_sensing(actor)
        device = self._device(session, entity_id)
        return to_entity(
            device, attrs=attrs, key_values=key_values, context_in_body=context_in_body
        )

    # -- temporal ---------------------------------------------------------------------------
    def temporal_entity(
        self,
        session: Session,
        actor: Actor,
        entity_id: str,
        temporal: TemporalQuery,
        *,
        context_in_body: bool,
    ) -> dict[str, Any]:
        policy.may_view_sensing(actor)
        device = self._device(session, entity_id)
        return self._temporal(session, device, temporal, context_in_body)

    def temporal_query(
        self,
        session: Session,
        actor: Actor,
        query: EntityQuery,
        temporal: TemporalQuery,
        *,
        context_in_body: bool,
    ) -> EntityPage:
        policy.may_view_sensing(actor)
        found = self._matching(session, query)
        page = found[query.offset : query.offset + query.limit]
        return EntityPage(
            [self._temporal(session, d, temporal, context_in_body) for d in page], len(found)
        )

    # -- inside -----------------------------------------------------------------------------
    def _matching(self, session: Session, query: EntityQuery) -> list[DeviceView]:
        codes: set[str] = set()
        for entity_id in query.ids:
            parts = split_entity_id(entity_id)
            if parts is not None and (not query.types or parts[0] in query.types):
                codes.add(parts[1])
        if query.ids and not codes:
            return []
        bbox = query.geo.bounding_box() if query.geo else None
        devices = store.device_views(session, store.DeviceFilter(query.types, codes, bbox))
        return [
            d
            for d in devices
            if (not query.ids or d.entity_id in query.ids)
            and (query.geo is None or query.geo.matches(d.lon, d.lat))
            and (query.q is None or matches(query.q, plain_attributes(d)))
            and (query.attrs is None or query.attrs & set(plain_attributes(d)))
        ]

    def _device(self, session: Session, entity_id: str) -> DeviceView:
        parts = split_entity_id(entity_id)
        if parts is not None:
            devices = store.device_views(session, store.DeviceFilter((parts[0],), (parts[1],)))
            if devices and devices[0].entity_id == entity_id:
                return devices[0]
        raise not_found(f"no entity {entity_id}")

    def _temporal(
        self, session: Session, device: DeviceView, temporal: TemporalQuery, context: bool
    ) -> dict[str, Any]:
        entity: dict[str, Any] = {"id": device.entity_id, "type": device.entity_type}
        for name, spec in attribute_map(device.metrics).items():
            if temporal.attrs is not None and name not in temporal.attrs:
                continue
            if temporal.aggregated:
                buckets = temporal.buckets()
                stats = self._aggregate(session, device.device_id, spec.key, temporal)
                attribute = aggregated_attribute(temporal.methods, buckets, stats)
                if any(attribute[m] for m in temporal.methods):
                    entity[name] = attribute
                continue
            points = store.recent_points(
                session,
                device.device_id,
                spec.key,
                temporal.start_ms,
                temporal.end_ms,
                temporal.last_n or MAX_INSTANCES,
            )
            if not points:
                continue
            if temporal.temporal_values:
                entity[name] = {
                    "type": "Property",
                    "values": [[value, iso_ms(ts)] for ts, value in points],
                }
                continue
            code = unit_code(spec.unit)
            entity[name] = [
                {"type": "Property", "value": value, "observedAt": iso_ms(ts)}
                | ({"unitCode": code} if code else {})
                for ts, value in points
            ]
        if context:
            entity["@context"] = CORE_CONTEXT
        return entity

    def _aggregate(
        self, session: Session, device_id: int, metric: str, temporal: TemporalQuery
    ) -> dict[int, Stats]:
        """Figures per period, keyed by the period's start."""
        buckets = temporal.buckets()
        start, end = buckets[0][0], buckets[-1][1]
        step = buckets[0][1] - buckets[0][0]
        found: dict[int, Stats] = {}
        period = ROLLUP_PERIODS.get(temporal.period_ms)
        methods = set(temporal.methods) <= ROLLUP_METHODS
        if period and methods and bucket_start(start, period) == start:
            settled = self._clock.now().timestamp() * 1000 - SETTLED_MS
            rows = store.rollup_stats(session, device_id, metric, period.value, start, end)
            found = {b: s for b, s in rows.items() if b + step <= min(settled, end)}
        missing = [b for b, _ in buckets if b not in found]
        if missing:
            raw = store.raw_stats(
                session, device_id, metric, missing[0], min(missing[-1] + step, end), step
            )
            offset = (missing[0] - start) // step
            for index, stats in raw.items():
                bucket = buckets[offset + index][0]
                if bucket not in found:
                    found[bucket] = stats
        return found
