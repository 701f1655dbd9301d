"""The working calendar API: any staff member reads a year, an administrator replaces it; the
year is kept in the database, counts in the SLA arithmetic at once and after a restart, and a
year that breaks the calendar's rules is a 422 naming the day."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform, build_platform
from cityops.kernel.clock import FixedClock

ADMIN = {"X-Test-Role": "admin"}
HANDLER = {"X-Test-Role": "handler"}
# 2027 is not in the shipped holidays file: weekends only until an administrator sets it
YEAR_2027 = {
    "holidays": ["2027-01-01", "2027-02-08", "2027-02-09"],
    "workdays": ["2027-02-06"],  # a Saturday
}


def test_a_year_from_the_file_is_read_by_any_staff_member(api: TestClient) -> None:
    r = api.get("/api/v1/calendar/2026", headers=HANDLER)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "file"
    assert "2026-01-01" in body["holidays"]
    assert body["updated_by"] is None


def test_a_year_in_neither_is_weekends_only(api: TestClient) -> None:
    body = api.get("/api/v1/calendar/2031", headers=HANDLER).json()
    assert (body["source"], body["holidays"], body["workdays"]) == ("weekends", [], [])


def test_the_admin_sets_a_year_and_deadlines_follow_it(
    api: TestClient, platform: Platform, clock: FixedClock
) -> None:
    assert platform.calendar.is_working_day(date(2027, 2, 8))  # a Monday
    assert not platform.calendar.is_working_day(date(2027, 2, 6))  # a Saturday
    r = api.put("/api/v1/calendar/2027", json=YEAR_2027, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "database"
    assert r.json()["updated_by"] == "admin1"
    assert not platform.calendar.is_working_day(date(2027, 2, 8))
    assert platform.calendar.is_working_day(date(2027, 2, 6))

    read = api.get("/api/v1/calendar/2027", headers=HANDLER).json()
    assert read["holidays"] == YEAR_2027["holidays"]
    assert read["workdays"] == YEAR_2027["workdays"]

    # another process (a restart) reads the year from the database
    again = build_platform(platform.settings, clock=clock, migrate=False)
    try:
        assert not again.calendar.is_working_day(date(2027, 2, 9))
        assert again.calendar.is_working_day(date(2027, 2, 6))
    finally:
        again.close()


def test_a_set_year_replaces_the_files(api: TestClient, platform: Platform) -> None:
    assert not platform.calendar.is_working_day(date(2026, 1, 1))
    r = api.put("/api/v1/calendar/2026", json={"holidays": [], "workdays": []}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert platform.calendar.is_working_day(date(2026, 1, 1))  # a Thursday, no longer off
    assert api.get("/api/v1/calendar/2026", headers=HANDLER).json()["holidays"] == []


@pytest.mark.parametrize(
    ("body", "code", "day"),
    [
        ({"holidays": ["2028-01-01"], "workdays": []}, "date_outside_year", "2028-01-01"),
        (
            {"holidays": ["2027-02-06"], "workdays": ["2027-02-06"]},
            "holiday_and_workday",
            "2027-02-06",
        ),
        ({"holidays": [], "workdays": ["2027-02-08"]}, "workday_not_weekend", "2027-02-08"),
    ],
)
def test_a_year_breaking_the_rules_is_refused(
    api: TestClient, platform: Platform, body: dict[str, list[str]], code: str, day: str
) -> None:
    r = api.put("/api/v1/calendar/2027", json=body, headers=ADMIN)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == code
    assert day in error["message"]
    assert api.get("/api/v1/calendar/2027", headers=HANDLER).json()["source"] == "weekends"


@pytest.mark.parametrize("year", ["1999", "2101", "twenty"])
def test_a_year_out_of_range_is_a_422(api: TestClient, year: str) -> None:
    assert api.get(f"/api/v1/calendar/{year}", headers=HANDLER).status_code == 422


@pytest.mark.parametrize("role", ["handler", "leader", "dispatcher"])
def test_only_an_admin_changes_the_calendar(api: TestClient, role: str) -> None:
    r = api.put("/api/v1/calendar/2027", json=YEAR_2027, headers={"X-Test-Role": role})
    assert r.status_code == 403, r.text
    assert api.get("/api/v1/calendar/2027", headers=HANDLER).json()["source"] == "weekends"


@pytest.mark.parametrize("role", ["citizen", "integration"])
def test_outsiders_do_not_read_the_calendar(api: TestClient, role: str) -> None:
    assert api.get("/api/v1/calendar/2026", headers={"X-Test-Role": role}).status_code == 403


def test_signed_out_is_a_401(api: TestClient) -> None:
    assert api.get("/api/v1/calendar/2026").status_code == 401


def test_a_server_process_already_running_takes_the_year_within_seconds(
    api: TestClient, platform: Platform, clock: FixedClock
) -> None:
    """A second server process, started before the change, takes it at its next look."""
    other = build_platform(platform.settings, clock=clock, migrate=False)
    try:
        with other.read() as session:
            assert not other.worktime.refresh(session)  # nothing new yet: one small query
        assert other.calendar.is_working_day(date(2027, 2, 8))
        r = api.put("/api/v1/calendar/2027", json=YEAR_2027, headers=ADMIN)
        assert r.status_code == 200, r.text
        with other.read() as session:
            assert other.worktime.refresh(session)
        assert not other.calendar.is_working_day(date(2027, 2, 8))
        assert other.calendar.is_working_day(date(2027, 2, 6))
        with other.read() as session:
            assert not other.worktime.refresh(session)
    finally:
        other.close()
