"""The publication policy as data (appeals/open311/publication.py): every case source is decided,
citizen appeals are published with a rounded point, the city's internal cases are not, and only
the photos of a result step are shown."""

from __future__ import annotations

import pytest

from cityops.appeals.open311.publication import (
    POLICY,
    PUBLISHED_SOURCES,
    published_photo,
    published_point,
    request_photo,
)
from cityops.cases.public import CaseSource

PHOTO = "/media/2026/11/Qm9uam91ci1sYW1wLTE.jpg"


def test_every_source_is_decided() -> None:
    assert set(POLICY) == set(CaseSource)
    assert set(PUBLISHED_SOURCES) == {CaseSource.hotline, CaseSource.web, CaseSource.open311}


@pytest.mark.parametrize("source", list(CaseSource))
def test_a_published_point_is_rounded_to_about_100_m(source: CaseSource) -> None:
    lat, lon = 30.2522871, 120.1278349
    shown = published_point(source, lat, lon)
    if source in PUBLISHED_SOURCES:
        assert shown == (30.252, 120.128)
    assert published_point(source, None, None) == (None, None)


@pytest.mark.parametrize("source", list(CaseSource))
def test_only_a_result_photo_of_a_published_source_is_shown(source: CaseSource) -> None:
    shown = PHOTO if source in PUBLISHED_SOURCES else ""
    assert published_photo(source, "finish", (PHOTO,)) == shown
    assert published_photo(source, "self_handle", (PHOTO,)) == shown
    assert request_photo(source, PHOTO) == shown
    assert published_photo(source, "report", (PHOTO,)) == ""  # the reporter's photo
    assert published_photo(source, "finish", ("javascript:alert(1)",)) == ""
    assert published_photo(source, "finish", ()) == ""
    assert request_photo(source, "") == ""
