"""The action routes read the workflow registry: each action has its own body in OpenAPI and
refuses fields that are not its own, and the console's form declarations are served from the
same specs."""

from __future__ import annotations

from cityops.cases.public import WORKFLOW

from .conftest import City


def test_each_action_has_its_own_body_in_openapi(city: City) -> None:
    paths = city.client.get("/openapi.json").json()["paths"]
    body = paths["/api/v1/cases/{case_id}/actions/dispatch"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DispatchBody"
    }
    routed = {
        p.rsplit("/", 1)[1] for p in paths if p.startswith("/api/v1/cases/{case_id}/actions/")
    }
    assert routed == set(WORKFLOW.names)


def test_a_field_of_another_action_is_refused_and_changes_nothing(city: City) -> None:
    case = city.act("op", city.create(), "register")
    before = city.snapshot()
    r = city.client.post(
        f"/api/v1/cases/{case['id']}/actions/dispatch",
        json={"version": case["version"], "passed": True},
        headers=city.auth("disp"),
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_request")
    assert city.snapshot() == before
    city.act("disp", case, "dispatch", department_code="CGJ", note="派往城管局")


def test_the_forms_are_the_specs(city: City) -> None:
    r = city.client.get("/api/v1/case-actions", headers=city.auth("op"))
    assert r.status_code == 200
    actions = {a["name"]: a for a in r.json()}
    assert list(actions) == WORKFLOW.names
    evaluate = actions["evaluate"]
    assert [f["name"] for f in evaluate["fields"]] == [
        "contacted",
        "resolved",
        "satisfaction",
        "reopen",
        "note",
    ]
    assert evaluate["fields"][1] == {
        "name": "resolved",
        "kind": "yesno",
        "required": True,
        "label": "field.resolved",
        "when": "contacted",
        "min": None,
        "choices": [],
    }
    assert (actions["reject"]["caution"], actions["register"]["caution"]) == (True, False)
    assert city.client.get("/api/v1/case-actions").status_code == 401
