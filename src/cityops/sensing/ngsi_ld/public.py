"""What web/ may use of the NGSI-LD face of sensing."""

from __future__ import annotations

from cityops.sensing.ngsi_ld.mapping import CORE_CONTEXT, JSONLD, LINK_HEADER
from cityops.sensing.ngsi_ld.problems import NgsiLdProblem, bad_request
from cityops.sensing.ngsi_ld.query import ENTITY_PARAMS, EntityQuery, options_of, parse_entity_query
from cityops.sensing.ngsi_ld.service import EntityPage, NgsiLdService
from cityops.sensing.ngsi_ld.temporal import TEMPORAL_PARAMS, TemporalQuery, parse_temporal_query

__all__ = [
    "CORE_CONTEXT",
    "ENTITY_PARAMS",
    "JSONLD",
    "LINK_HEADER",
    "TEMPORAL_PARAMS",
    "EntityPage",
    "EntityQuery",
    "NgsiLdProblem",
    "NgsiLdService",
    "TemporalQuery",
    "bad_request",
    "options_of",
    "parse_entity_query",
    "parse_temporal_query",
]
