"""POST /api/v1/routing/suggest through HTTP: the top-k labels with their categories, the unit at
the place and the explaining words; who may ask; what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import RoutingCity

SCHOOL = "孩子所在学校的老师违规有偿补课，学校收取高额补课费，请教育局查处"
URL = "/api/v1/routing/suggest"


def _suggest(city: RoutingCity, user: str = "op", expect: int = 200, **body: Any) -> Any:
    r = city.client.post(URL, json=body, headers=city.auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def test_suggestions_with_units_at_the_place(city: RoutingCity) -> None:
    lon, lat = city.point()
    found = _suggest(city, text=SCHOOL, lon=lon, lat=lat)
    assert found["model_available"] is True
    assert found["model_version"] == city.platform.routing.model_version
    top3 = found["suggestions"]
    assert len(top3) == 3
    first = top3[0]
    # the leaf the list's words name (补课 → 校外培训), under the model's label
    assert (first["label"], first["category_code"], first["category_name"]) == (
        "教育文体",
        "A0302",
        "校外培训",
    )
    assert (first["leaf"], first["keywords"]) == (True, ["有偿补课", "补课"])
    assert 0.5 < first["label_probability"] <= 1.0  # the board label's own, calibrated
    assert (first["department_code"], first["department_name"]) == ("JYJ", "教育局")
    assert first["top_words"]
    assert all(w["weight"] > 0 for w in first["top_words"])
    assert "学校" in {w["word"] for w in first["top_words"]}
    probabilities = [s["probability"] for s in top3]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) <= 1 + 1e-6

    everything = _suggest(city, "disp", text=SCHOOL, lon=lon, lat=lat, k=7)["suggestions"]
    assert len(everything) == 7
    assert sum(s["probability"] for s in everything) == pytest.approx(1, abs=1e-3)
    by_label = {s["label"]: s for s in everything}
    assert by_label["城乡建设"]["department_code"] == "ST_HUBIN"  # the street office here
    assert by_label["卫生计生"]["category_name"] == "卫生健康"

    assert len(_suggest(city, text=SCHOOL, k=1)["suggestions"]) == 1
    assert _suggest(city, text="？！……。")["suggestions"] == []  # no words, nothing to say


@pytest.mark.parametrize(
    ("where", "street_office"),
    [({}, None), ({"lon": 0.5, "lat": 0.5}, None)],
    ids=["no place", "outside the city"],
)
def test_a_unit_of_the_place_needs_a_place_in_the_city(
    city: RoutingCity, where: dict[str, float], street_office: str | None
) -> None:
    found = _suggest(city, text=SCHOOL, k=7, **where)["suggestions"]
    by_label = {s["label"]: s for s in found}
    assert by_label["城乡建设"]["department_code"] is street_office
    assert by_label["教育文体"]["department_code"] == "JYJ"  # a fixed unit needs no place


@pytest.mark.parametrize("user", ["lead", "boss", "h_jyj", "insp", "cit"])
def test_only_operators_and_dispatchers_ask(city: RoutingCity, user: str) -> None:
    body = _suggest(city, user, expect=403, text=SCHOOL)
    assert body["error"]["code"] == "cannot_suggest_routes"


def test_bad_requests_are_refused(city: RoutingCity) -> None:
    assert city.client.post(URL, json={"text": SCHOOL}).status_code == 401
    assert _suggest(city, expect=422, text="   ")["error"]["code"] == "text_required"
    assert _suggest(city, expect=422, text=SCHOOL, lon=120.1)["error"]["code"] == (
        "incomplete_point"
    )
    _suggest(city, expect=422, text=SCHOOL, k=8)
    _suggest(city, expect=422, text="")
