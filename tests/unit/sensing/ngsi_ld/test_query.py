"""Entity query parameters and the geo tests."""

from __future__ import annotations

import pytest

from cityops.sensing.ngsi_ld.problems import NgsiLdProblem
from cityops.sensing.ngsi_ld.query import distance_m, parse_entity_query

HANGZHOU = (120.121, 30.251)


def test_parameters_are_read() -> None:
    query = parse_entity_query(
        {
            "type": "AirQualityObserved,Device",
            "attrs": "pm25,location",
            "limit": "5",
            "offset": "10",
            "count": "true",
            "options": "keyValues",
        }
    )
    assert query.types == {"AirQualityObserved", "Device"}
    assert query.attrs == {"pm25", "location"}
    assert (query.limit, query.offset, query.count, query.key_values) == (5, 10, True, True)


def test_near_keeps_the_points_within_the_distance_and_its_box_holds_them() -> None:
    geo = parse_entity_query(
        {"georel": "near;maxDistance==1500", "geometry": "Point", "coordinates": "[120.121,30.251]"}
    ).geo
    assert geo is not None
    east_1400 = (HANGZHOU[0] + 1400 / (111_195 * 0.8638), HANGZHOU[1])  # cos(30.251°) = 0.8638
    assert distance_m(HANGZHOU, east_1400) == pytest.approx(1400, rel=1e-3)
    assert geo.matches(*east_1400)
    east_1600 = (HANGZHOU[0] + 1600 / (111_195 * 0.8638), HANGZHOU[1])
    assert not geo.matches(*east_1600)
    west, south, east, north = geo.bounding_box() or (0, 0, 0, 0)
    assert west < HANGZHOU[0] - 0.0155
    assert east > east_1400[0]
    assert south < HANGZHOU[1] - 0.0134 < HANGZHOU[1] + 0.0134 < north


def test_within_a_polygon() -> None:
    geo = parse_entity_query(
        {"georel": "within", "geometry": "Polygon", "coordinates": "[[[0,0],[4,0],[4,4],[0,0]]]"}
    ).geo
    assert geo is not None
    assert geo.matches(3, 1)
    assert not geo.matches(1, 3)  # above the diagonal
    assert not geo.matches(5, 1)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"type": "X", "limit": "-1"},
        {"type": "X", "limit": "1001"},
        {"type": "X", "offset": "x"},
        {"type": "X", "count": "yes"},
        {"type": "X", "geometry": "Point"},
        {"type": "X", "idPattern": "urn:.*"},
        {"georel": "near;maxDistance==1", "geometry": "Polygon", "coordinates": "[1,2]"},
        {"georel": "near;maxDistance==-1", "geometry": "Point", "coordinates": "[1,2]"},
        {"georel": "near;maxDistance==x", "geometry": "Point", "coordinates": "[1,2]"},
        {"georel": "near;maxDistance==1", "geometry": "Point", "coordinates": "[1,2,3]"},
        {"georel": "near;maxDistance==1", "geometry": "Point", "coordinates": "1,2"},
        {"georel": "near;maxDistance==1", "geometry": "Point", "coordinates": "[1,2]",
         "geoproperty": "observationSpace"},
        {"georel": "within", "geometry": "Polygon", "coordinates": "[[[0,0],[1,0],[1,1],[0,1]]]"},
        {"georel": "within;maxDistance==3", "geometry": "Polygon",
         "coordinates": "[[[0,0],[1,0],[1,1],[0,0]]]"},
    ],
)  # fmt: skip
def test_refused(params: dict[str, str]) -> None:
    with pytest.raises(NgsiLdProblem) as refused:
        parse_entity_query(params)
    assert refused.value.status == 400
