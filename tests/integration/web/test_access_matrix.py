"""The access matrix: every route of the app, asked by every role, about an object in the
actor's scope and one outside it, with the status each cell must answer — and never a 5xx.

Roles are the people who reach the app: `anonymous` (no token, no tracking code), `citizen` (no
token, holds the tracking code of their own appeal), a signed-in citizen account, each staff
role, a dispatcher bound to one street, and an integration API token. The scope: case A lies in
street X and is dispatched to department CGJ; case B lies in street Y and is dispatched to SWJ.
The handler of CGJ, the handler of street X's office (which sees its place, 属地), the inspector
and the dispatcher of street X have A in scope and not B; every other staff role sees both.
Alarms follow the same scope: the in-scope alarm's device stands in street X and is maintained
by CGJ, the other's stands in street Y and is owned by SWJ.

`ROWS` has one row per route (method and path as the app declares it); the routes of the
workflow actions are one family whose cells are read from the action registry. A route without a
row fails `test_every_route_has_a_row`: add the row (who may, what a refused or out-of-scope cell
answers, and the request) with the endpoint. Besides the status, every cell checks that a
scoped actor's answer never names case B, and that no answer to a bearer token carries a
tracking code (the citizen's secret).

Writes are made harmless: a workflow action is sent with a stale version, so a cell the rules
allow answers 409 stale_version (every rule was passed, nothing changed); creations use names
of their own per cell; deletions and revocations get a fresh object per cell."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import pytest
import shapely.geometry
from case_city import GRID, LAMP, LEAK, OTHER_GRID, OTHER_STREET, PASSWORD, STREET, City, build_city
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from cityops.app import Platform, build_platform
from cityops.cases.store import cases
from cityops.cases.workflow.registry import WORKFLOW
from cityops.infra.settings import Settings
from cityops.insight.public import KeySiteRow
from cityops.kernel.actor import SYSTEM, Role
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.org.public import NewApiToken, NewUser
from cityops.sensing.public import AlarmFilter, NewDevice
from cityops.web.app import create_app
from cityops.web.session import SESSION_COOKIE

# --- who asks --------------------------------------------------------------------------------

ANON, CITIZEN = "anonymous", "citizen"
# role name -> (username, roles) of the account behind its bearer token
ACCOUNTS: dict[str, tuple[str, frozenset[Role]]] = {
    "citizen_account": ("cit", frozenset({Role.citizen})),
    "operator": ("op", frozenset({Role.operator})),
    "dispatcher": ("disp", frozenset({Role.dispatcher})),
    "dispatcher_x": ("disp_x", frozenset({Role.dispatcher})),  # bound to street X
    "shift_leader": ("lead", frozenset({Role.shift_leader})),
    "handler": ("h_cgj", frozenset({Role.handler})),  # of CGJ
    "handler_x": ("h_street", frozenset({Role.handler})),  # of street X's office (属地)
    "inspector": ("insp", frozenset({Role.inspector})),  # of street X
    "leader": ("boss", frozenset({Role.leader})),
    "admin": ("adm", frozenset({Role.admin})),
    "integration": ("intg", frozenset({Role.integration})),  # an API token, not a sign-in
}
ROLES = (ANON, CITIZEN, *ACCOUNTS)
STAFF = frozenset(ACCOUNTS) - {"citizen_account"}
# case A in scope, case B not
SCOPED = frozenset({"dispatcher_x", "handler", "handler_x", "inspector"})
IN, OUT = "in", "out"
SCOPES = (IN, OUT)
PHONE_P, PHONE_B = "13812345678", "13900001111"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # a working Monday morning


def holding(*roles: Role) -> frozenset[str]:
    """The matrix roles whose account holds one of `roles`."""
    return frozenset(name for name, (_, held) in ACCOUNTS.items() if held & set(roles))


CITYWIDE = holding(Role.operator, Role.dispatcher, Role.shift_leader, Role.leader, Role.admin)
CASE_READERS = CITYWIDE | holding(Role.handler, Role.inspector)


# --- what each cell answers ------------------------------------------------------------------

Expect = Callable[[str, str], int]


def public(status: int = 200) -> Expect:
    """Anyone, signed in or not, in or out of scope."""
    return lambda role, scope: status


def signed_in(
    allowed: frozenset[str] = frozenset(ACCOUNTS),
    ok: int = 200,
    out: int | None = None,
    out_of_scope: frozenset[str] = SCOPED,
) -> Expect:
    """401 without a token; 403 for a role outside `allowed`; for the allowed, `ok`, or `out`
    (404: hidden) when the object is outside a scoped actor's scope."""

    def cell(role: str, scope: str) -> int:
        if role in (ANON, CITIZEN):
            return 401
        if role not in allowed:
            return 403
        if out is not None and scope == OUT and role in out_of_scope:
            return out
        return ok

    return cell


def by_scope(in_status: int, out_status: int) -> Expect:
    return lambda role, scope: in_status if scope == IN else out_status


def action_cell(action: str) -> Expect:
    """A workflow action, from its spec: the roles that take it (403 for the others), 404 for a
    case outside the actor's scope, the department-bound and own-report rules (403
    not_case_department / not_own_report); an allowed cell meets the stale version (409)."""
    spec = WORKFLOW.spec(action)

    def cell(role: str, scope: str) -> int:
        if role in (ANON, CITIZEN):
            return 401
        if not (ACCOUNTS[role][1] & spec.roles):
            return 403
        if role not in CASE_READERS or (scope == OUT and role in SCOPED):
            return 404  # the case is not found by one who cannot see it
        if spec.department_bound and role != "handler":
            return 403  # case A is CGJ's: the street office sees it (属地) but does not act on it
        if spec.own_report and not (role == "inspector" and scope == IN):
            return 403  # the inspector reported case A in their street; nobody else reported
        return 409

    return cell


# --- the world the requests are made in ------------------------------------------------------


@dataclass
class World:
    platform: Platform
    client: TestClient
    case_a: dict[str, Any]
    case_b: dict[str, Any]
    code_p: str  # the citizen's tracking code (appeal P, street X, still reported)
    code_b: str
    photo_p: str  # /media/… of P's photo
    user_ids: dict[str, int]
    department_ids: dict[str, int]
    category_lamp: dict[str, Any]
    categories_csv: bytes
    article_code: str
    tokens: dict[str, str] = field(default_factory=dict)
    serial: Iterator[int] = field(default_factory=lambda: iter(range(1, 1_000_000)))

    def token(self, role: str) -> str | None:
        if role in (ANON, CITIZEN):
            return None
        if role not in self.tokens:
            self.tokens[role] = self.fresh_token(role)
        return self.tokens[role]

    def fresh_token(self, role: str) -> str:
        username = ACCOUNTS[role][0]
        if role == "integration":
            with self.platform.uow() as uow:
                issued = self.platform.org.create_api_token(
                    uow, SYSTEM, NewApiToken(name=f"bridge {next(self.serial)}", username=username)
                )
            return issued.token
        with self.platform.read() as s:
            return self.platform.org.access_token_for_user(s, username).access_token

    def case(self, scope: str) -> dict[str, Any]:
        return self.case_a if scope == IN else self.case_b

    def unique(self) -> int:
        return next(self.serial)


@dataclass
class Req:
    path: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] | None = None
    json: Any = None
    data: dict[str, Any] | None = None
    files: Any = None
    token: str | bool = True  # True: the role's token; False: none; a string: that one
    content: bytes | None = None  # a raw body (with its content type in `headers`)
    headers: dict[str, str] = field(default_factory=dict)
    session: bool = False  # the role's token in the console's session cookie instead

    def __or__(self, changes: dict[str, Any]) -> Req:
        return replace(self, **changes)


Build = Callable[[World, str, str], Req]


def plain(w: World, role: str, scope: str) -> Req:
    return Req()


def on_case(w: World, role: str, scope: str) -> Req:
    return Req(path={"case_id": w.case(scope)["id"]})


@dataclass(frozen=True)
class Row:
    expect: Expect
    build: Build = plain


# --- request builders of the rows that need more than a path ---------------------------------


def sign_in(w: World, role: str, scope: str) -> Req:
    return Req(data={"username": "op", "password": _password(role, scope)}, token=False)


def _password(role: str, scope: str) -> str:
    """Signing in does not depend on who asks: one cell sends a wrong password (more would
    meet the sign-in throttle of the address, 429)."""
    return "not the password" if (role, scope) == (ANON, OUT) else PASSWORD


def sign_in_cell(role: str, scope: str) -> int:
    return 401 if (role, scope) == (ANON, OUT) else 200


def sign_out(w: World, role: str, scope: str) -> Req:
    # a token of its own: signing out revokes it
    return Req(token=False if role in (ANON, CITIZEN) else w.fresh_token(role))


def new_api_token(w: World, role: str, scope: str) -> Req:
    return Req(json={"name": f"matrix {w.unique()}", "username": "intg"})


def revoke_api_token(w: World, role: str, scope: str) -> Req:
    with w.platform.uow() as uow:
        issued = w.platform.org.create_api_token(
            uow, SYSTEM, NewApiToken(name=f"spare {w.unique()}", username="intg")
        )
    return Req(path={"token_id": issued.ref.id})


def on_user(w: World, role: str, scope: str) -> Req:
    """In scope: the actor's own account; out: somebody else's."""
    own = ACCOUNTS[role][0] if role in ACCOUNTS else "op"
    return Req(path={"user_id": w.user_ids[own if scope == IN else "h_water"]})


def new_user(w: World, role: str, scope: str) -> Req:
    return Req(
        json={
            "username": f"matrix_{w.unique()}",
            "password": PASSWORD,
            "roles": ["operator"],
        }
    )


def update_user(w: World, role: str, scope: str) -> Req:
    return on_user(w, role, scope) | {"json": {"display_name": "王五"}}


def on_department(w: World, role: str, scope: str) -> Req:
    return Req(path={"department_id": w.department_ids["CGJ" if scope == IN else "SWJ"]})


def new_department(w: World, role: str, scope: str) -> Req:
    return Req(json={"code": f"M{w.unique()}", "name": "测试局", "kind": "city_department"})


def update_department(w: World, role: str, scope: str) -> Req:
    return on_department(w, role, scope) | {"json": {"phone": "0571-88000000"}}


def on_area(w: World, role: str, scope: str) -> Req:
    return Req(path={"code": STREET if scope == IN else OTHER_STREET})


def locate(w: World, role: str, scope: str) -> Req:
    lon, lat = _point(w, GRID if scope == IN else OTHER_GRID)
    return Req(params={"lon": lon, "lat": lat})


def on_category(w: World, role: str, scope: str) -> Req:
    return Req(path={"code": LAMP if scope == IN else LEAK})


def put_category(w: World, role: str, scope: str) -> Req:
    keys = ("name", "filing_condition", "urgency", "responsible_kind", "department_code")
    body = {k: w.category_lamp[k] for k in keys} | {"limits": w.category_lamp["limits"]}
    return Req(path={"code": LAMP}, json=body)


def import_categories(w: World, role: str, scope: str) -> Req:
    return Req(files={"file": ("categories.csv", w.categories_csv, "text/csv")})


def new_case(w: World, role: str, scope: str) -> Req:
    return Req(
        json={
            "source": "hotline",
            "title": "路灯不亮",
            "description": "路口的路灯晚上不亮",
            "category_code": LAMP,
            "area_code": GRID if scope == IN else OTHER_GRID,
        }
    )


def new_webhook(w: World, role: str, scope: str) -> Req:
    return Req(json={"url": "http://127.0.0.1:9/hook", "event_names": ["*"]})


def on_webhook(w: World, role: str, scope: str) -> Req:
    r = w.client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook"},
        headers=_bearer(w.token("admin")),
    )
    assert r.status_code == 201, r.text
    return Req(path={"webhook_id": r.json()["id"]})


def open311(w: World, role: str, scope: str) -> Req:
    return Req(path={"fmt": "json"})


def open311_service(w: World, role: str, scope: str) -> Req:
    return Req(path={"fmt": "json", "service_code": LAMP if scope == IN else "NOPE"})


def open311_request(w: World, role: str, scope: str) -> Req:
    return Req(path={"fmt": "json", "service_request_id": w.case(scope)["number"]})


def open311_post(w: World, role: str, scope: str) -> Req:
    lon, lat = _point(w, GRID)
    return Req(
        path={"fmt": "json"},
        data={"service_code": LAMP, "lat": lat, "long": lon, "description": "路灯不亮"},
    )


def open311_token(w: World, role: str, scope: str) -> Req:
    return Req(path={"fmt": "json", "token": "no-such-token"})


def open311_unknown(w: World, role: str, scope: str) -> Req:
    return Req(path={"rest": "nothing-here.json"})


def submit_appeal(w: World, role: str, scope: str) -> Req:
    lon, lat = _point(w, GRID if scope == IN else OTHER_GRID)
    return Req(
        data={
            "appeal_type": "complaint",
            "description": "路口的路灯晚上不亮，已经三天了",
            "category_code": LAMP,
            "lon": str(lon),
            "lat": str(lat),
            "phone": PHONE_P,
        }
    )


def tracking(w: World, role: str, scope: str) -> Req:
    """The citizen holds P's code; anybody else knows none (an unknown one)."""
    code = w.code_p if role != ANON and scope == IN else "NOSUCHCODE"
    return Req(path={"code": code})


def rating(w: World, role: str, scope: str) -> Req:
    return tracking(w, role, scope) | {"json": {"satisfaction": "satisfied"}}


def notifications(w: World, role: str, scope: str) -> Req:
    return Req(params={"case_id": w.case(scope)["id"]})


def on_article(w: World, role: str, scope: str) -> Req:
    return Req(path={"code": w.article_code if scope == IN else "NOSUCH"})


def article_body() -> dict[str, Any]:
    return {
        "title": "路灯报修",
        "keywords": ["路灯"],
        "answer": "请拨打 12319",
        "category_code": None,
    }


def new_article(w: World, role: str, scope: str) -> Req:
    return Req(json=article_body() | {"code": f"KBM{w.unique()}"})


def update_article(w: World, role: str, scope: str) -> Req:
    return Req(path={"code": w.article_code}, json=article_body())


def caller(w: World, role: str, scope: str) -> Req:
    return Req(path={"phone": PHONE_P if scope == IN else PHONE_B})


def assist(w: World, role: str, scope: str) -> Req:
    return Req(json={"text": "路灯不亮", "phone": PHONE_P if scope == IN else PHONE_B})


def take_call(w: World, role: str, scope: str) -> Req:
    return Req(
        json={
            "phone": PHONE_P,
            "appeal_type": "complaint",
            "text": "路口的路灯晚上不亮",
            "category_code": LAMP,
            "area_code": GRID if scope == IN else OTHER_GRID,
        }
    )


def suggest(w: World, role: str, scope: str) -> Req:
    return Req(json={"text": "路灯不亮"})


def action(name: str) -> Build:
    def build(w: World, role: str, scope: str) -> Req:
        return on_case(w, role, scope) | {"json": ACTION_BODY}

    return build


def unknown_action(w: World, role: str, scope: str) -> Req:
    return on_case(w, role, scope) | {"path": {"case_id": w.case(scope)["id"], "action": "fly"}}


def page_track(w: World, role: str, scope: str) -> Req:
    return tracking(w, role, scope) | {"token": False}


def i18n(w: World, role: str, scope: str) -> Req:
    return Req(path={"lang": "zh-CN" if scope == IN else "xx"}, token=False)


def media(w: World, role: str, scope: str) -> Req:
    year, month, name = w.photo_p.removeprefix("/media/").split("/")
    return Req(path={"year": year, "month": month, "name": name if scope == IN else "none.jpg"})


def place_search(w: World, role: str, scope: str) -> Req:
    return Req(params={"q": "湖滨" if scope == IN else "nowhere"})


def upload_photo(w: World, role: str, scope: str) -> Req:
    """A photo (in) or a text file called .jpg (out: 422 not_an_image for the allowed)."""
    data = _jpeg() if scope == IN else b"not a picture at all"
    return Req(files={"file": ("photo.jpg", data, "image/jpeg")})


def page(w: World, role: str, scope: str) -> Req:
    return Req(token=False)


def console(w: World, role: str, scope: str) -> Req:
    """A console page, asked with the role's session cookie (none for anonymous and citizen)."""
    return Req(token=False, session=True)


def on_device_page(w: World, role: str, scope: str) -> Req:
    return on_device(w, role, scope) | {"token": False, "session": True}


def console_case(w: World, role: str, scope: str) -> Req:
    return on_case(w, role, scope) | {"token": False, "session": True}


def console_cell(role: str, scope: str) -> int:
    """The console's pages need a session: without one, 303 to /login?next=…"""
    return 200 if role in ACCOUNTS else 303


def admin_page_cell(role: str, scope: str) -> int:
    """系统管理: administrators; anyone else signed in gets the page as a 403."""
    if role not in ACCOUNTS:
        return 303
    return 200 if role in ADMIN else 403


def sensing_page_cell(role: str, scope: str) -> int:
    """告警台, 告警规则 and the 物联感知 pages: staff; a citizen's account gets the page as a
    403."""
    if role not in ACCOUNTS:
        return 303
    return 200 if role in STAFF else 403


def reports_page_cell(role: str, scope: str) -> int:
    """智能报表: those who may read reports; anyone else signed in gets the page as a 403."""
    if role not in ACCOUNTS:
        return 303
    return 200 if role in REPORTS else 403


def mobile_page_cell(role: str, scope: str) -> int:
    """网格通, the inspector's phone app: inspectors; anyone else signed in gets it as a 403."""
    if role not in ACCOUNTS:
        return 303
    return 200 if role == "inspector" else 403


def login_cell(role: str, scope: str) -> int:
    """The sign-in page; with a session, straight on (303)."""
    return 303 if role in ACCOUNTS else 200


def start_session(w: World, role: str, scope: str) -> Req:
    return Req(data={"username": "lead", "password": _password(role, scope)}, token=False)


def new_open311_key(w: World, role: str, scope: str) -> Req:
    return Req(json={"name": f"matrix-{w.unique()}"})


def revoke_open311_key(w: World, role: str, scope: str) -> Req:
    r = w.client.post(
        "/api/v1/open311/keys",
        json={"name": f"spare-{w.unique()}"},
        headers=_bearer(w.token("admin")),
    )
    assert r.status_code == 201, r.text
    return Req(path={"key_id": r.json()["id"]})


def calendar_year(w: World, role: str, scope: str) -> Req:
    return Req(path={"year": 2026})


def event_stream(w: World, role: str, scope: str) -> Req:
    """The live stream bounded to its opening (max_seconds=0), which replays every event from
    the first: a scoped actor's replay must not name case B, nobody's a tracking code."""
    return Req(params={"max_seconds": 0, "last_event_id": 0})


def put_calendar_year(w: World, role: str, scope: str) -> Req:
    # a year far off, so the SLA arithmetic of the cases here is untouched
    return Req(path={"year": 2099}, json={"holidays": [], "workdays": []})


MATRIX_DEVICE = "AM-DEVICE-1"


def key_site_file(w: World, role: str, scope: str) -> Req:
    """A CSV of one key site of a kind of its own per cell, in street X."""
    lon, lat = _key_site_point(w, IN)
    text = f"kind,name,lon,lat\nmatrix_{w.unique()},矩阵学校,{lon},{lat}\n"
    return Req(files={"file": ("sites.csv", text.encode(), "text/csv")})


def _key_site_point(w: World, scope: str) -> tuple[float, float]:
    with w.platform.read() as s:
        return w.platform.geo.representative_point(s, GRID if scope == IN else OTHER_GRID)


def on_key_site(w: World, role: str, scope: str) -> Req:
    """A key site in street X (in scope) or street Y."""
    kind = f"matrix_{w.unique()}"
    lon, lat = _key_site_point(w, scope)
    with w.platform.uow() as uow:
        w.platform.key_sites.import_sites(
            uow.session, SYSTEM, [KeySiteRow(2, kind, "矩阵医院", lon, lat, None)]
        )
    with w.platform.read() as s:
        [site] = w.platform.key_sites.list_sites(s, SYSTEM, kinds=[kind])
    return Req(path={"site_id": site.id})


def delete_key_sites(w: World, role: str, scope: str) -> Req:
    return Req(params={"kind": f"matrix_{w.unique()}"})


def _device_point(w: World) -> tuple[float, float]:
    with w.platform.read() as s:
        return w.platform.geo.representative_point(s, w.platform.geo.root_area(s).code)


def on_device(w: World, role: str, scope: str) -> Req:
    with w.platform.read() as s:
        known = w.platform.sensing.list_devices(s, SYSTEM, query=MATRIX_DEVICE)[1]
    if not known:
        lon, lat = _device_point(w)
        with w.platform.uow() as uow:
            w.platform.sensing.register_device(
                uow.session, SYSTEM, NewDevice(MATRIX_DEVICE, "air_quality", lon, lat)
            )
    return Req(path={"code": MATRIX_DEVICE})


def device_series(w: World, role: str, scope: str) -> Req:
    return on_device(w, role, scope) | {"params": {"metric": "pm25", "interval": "1h"}}


def new_device(w: World, role: str, scope: str) -> Req:
    lon, lat = _device_point(w)
    body = {"code": f"AM-NEW-{w.unique()}", "type_code": "bin_fill", "lon": lon, "lat": lat}
    return Req(json=body)


def device_file(w: World, role: str, scope: str) -> Req:
    """A CSV of one new device (its own code per cell), for the bulk import."""
    lon, lat = _device_point(w)
    text = f"code,type_code,lon,lat\nAM-IMP-{w.unique()},bin_fill,{lon},{lat}\n"
    return Req(files={"file": ("devices.csv", text.encode(), "text/csv")})


def device_status(w: World, role: str, scope: str) -> Req:
    return on_device(w, role, scope) | {"json": {"status": "maintenance"}}


def ngsi_entity(w: World, role: str, scope: str) -> Req:
    on_device(w, role, scope)
    return Req(path={"entity_id": f"urn:ngsi-ld:AirQualityObserved:{MATRIX_DEVICE}"})


def ngsi_query(w: World, role: str, scope: str) -> Req:
    return Req(params={"type": "AirQualityObserved"})


def staff_token_telemetry(w: World, role: str, scope: str) -> Req:
    # a staff member's bearer token is no device's: only X-Device-Token signs telemetry
    return Req(json={"values": {"pm25": 12}})


MATRIX_RULE = "am-pm25"
ALARM_RULE_BODY = {
    "code": MATRIX_RULE,
    "name": "matrix PM2.5",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm25", "op": ">", "value": 150}},
}
# the devices of the alarms: in scope, one in street X maintained by CGJ (the scoped roles see
# its alarms: by area, by department, by place); out of scope, one in street Y owned by SWJ
ALARM_DEVICES = {  # scope → (code, area, owner department, O&M department)
    IN: ("AM-ALARM-X", GRID, "", "CGJ"),
    OUT: ("AM-ALARM-Y", OTHER_GRID, "SWJ", ""),
}


def on_rule(w: World, role: str, scope: str) -> Req:
    with w.platform.read() as s:
        known = [r.rule.code for r in w.platform.alarms.list_rules(s, SYSTEM)]
    if MATRIX_RULE not in known:
        with w.platform.uow() as uow:
            w.platform.alarms.save_rule(uow, SYSTEM, ALARM_RULE_BODY)
    return Req(path={"code": MATRIX_RULE})


def _alarm_device(w: World, scope: str) -> str:
    code, area, owner, om = ALARM_DEVICES[scope]
    with w.platform.read() as s:
        known = w.platform.sensing.list_devices(s, SYSTEM, query=code)[1]
    if not known:
        lon, lat = _point(w, area)
        with w.platform.uow() as uow:
            new = NewDevice(code, "air_quality", lon, lat, owner_department=owner, om_department=om)
            w.platform.sensing.register_device(uow.session, SYSTEM, new)
    return code


def _matrix_alarm(w: World, *, cleared: bool, scope: str = IN) -> int:
    """An alarm the runner raised on the scope's alarm device (active, or one cleared by
    hand)."""
    on_rule(w, "admin", IN)
    device = _alarm_device(w, scope)
    with w.platform.read() as s:
        found = w.platform.alarms.list_alarms(
            s, SYSTEM, AlarmFilter(device_code=device), limit=500
        )[0]
    wanted = [a for a in found if a.active != cleared]
    if wanted:
        return wanted[0].id
    if cleared:
        active = _matrix_alarm(w, cleared=False, scope=scope)
        with w.platform.uow() as uow:
            w.platform.alarms.clear_alarm(uow, SYSTEM, active, "matrix")
        w.platform.alarms.runner.reconcile()
        return active
    with w.platform.uow() as uow:
        w.platform.alarms.set_rule_enabled(uow, SYSTEM, MATRIX_RULE, True)
        token = w.platform.sensing.issue_token(uow.session, SYSTEM, device)
    day_ago = int(w.platform.clock.now().timestamp() * 1000) - 86_400_000
    for value in (50, 300):  # below, then above: the rule fires again
        ms = day_ago + w.unique() * 1000
        w.platform.sensing.ingestion.from_http(
            token, f'{{"ts": {ms}, "values": {{"pm25": {value}}}}}'.encode()
        ).committed.result(timeout=10)
    w.platform.alarms.runner.process_readings()
    with w.platform.read() as s:
        found = w.platform.alarms.list_alarms(
            s, SYSTEM, AlarmFilter(device_code=device, active=True), limit=1
        )[0]
    assert found, "the matrix rule raised no alarm"
    return found[0].id


def alarm_list(w: World, role: str, scope: str) -> Req:
    # both alarms exist: a scoped actor's list must not name the one out of scope
    for where in SCOPES:
        _matrix_alarm(w, cleared=False, scope=where)
    return Req()


def on_alarm(w: World, role: str, scope: str) -> Req:
    return Req(path={"alarm_id": _matrix_alarm(w, cleared=False, scope=scope)})


def on_cleared_alarm(w: World, role: str, scope: str) -> Req:
    # cleared already: an allowed cell passes every rule and meets 409 alarm_not_active
    return Req(path={"alarm_id": _matrix_alarm(w, cleared=True, scope=scope)})


def assign_alarm(w: World, role: str, scope: str) -> Req:
    return on_alarm(w, role, scope) | {"json": {"assignee": "王工"}}


def comment_alarm(w: World, role: str, scope: str) -> Req:
    return on_alarm(w, role, scope) | {"json": {"text": f"matrix {w.unique()}"}}


def put_rule(w: World, role: str, scope: str) -> Req:
    return on_rule(w, role, scope) | {"json": {"body": ALARM_RULE_BODY}}


def import_rules(w: World, role: str, scope: str) -> Req:
    # JSON is YAML: the import reads the body as a YAML document
    return Req(json={"rules": [ALARM_RULE_BODY]})


def backtest_rule(w: World, role: str, scope: str) -> Req:
    now = w.platform.clock.now()
    body = {"start": (now - timedelta(days=1)).isoformat(), "end": now.isoformat()}
    return on_rule(w, role, scope) | {"json": body}


# city vital signs (城市体征): asked about street X (in) or street Y (out); the manhole alarms
# are computed down to the grid, so a street has child areas
VITAL = "manhole_alarms"


def vital_area(w: World, role: str, scope: str) -> Req:
    return Req(params={"area": STREET if scope == IN else OTHER_STREET})


def vital_trend(w: World, role: str, scope: str) -> Req:
    return vital_area(w, role, scope) | {"path": {"code": VITAL}}


def vital_children(w: World, role: str, scope: str) -> Req:
    return Req(path={"code": VITAL}, params={"parent": STREET if scope == IN else OTHER_STREET})


def put_vital_definitions(w: World, role: str, scope: str) -> Req:
    """The stored definitions sent back unchanged: an allowed cell changes nothing."""
    with w.platform.read() as s:
        _, text = w.platform.vitals.definitions_yaml(s, SYSTEM)
    return Req(content=text.encode(), headers={"Content-Type": "text/yaml"})


def vital_series(w: World, role: str, scope: str) -> Req:
    point = {"area": "330191", "at": T0.isoformat(), "value": 30.5}
    return Req(path={"series": "weather.temperature_max"}, json={"points": [point]})


# The body each action is sent with: `version` only, stale (every action's body takes just that;
# test_every_action_takes_a_version_only_body fails for a new action that needs more).
ACTION_BODY: dict[str, Any] = {"version": 999}


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _point(w: World, area_code: str) -> tuple[float, float]:
    with w.platform.read() as s:
        feature = w.platform.geo.get_feature(s, area_code)
    p = shapely.geometry.shape(feature.geometry).representative_point()
    return p.x, p.y


# --- the matrix ------------------------------------------------------------------------------

ADMIN = holding(Role.admin)
DEVICE_MANAGERS = holding(Role.admin, Role.integration)
ALARM_HANDLERS = holding(Role.dispatcher, Role.shift_leader, Role.operator, Role.admin)
OUTBOX = CITYWIDE  # the notification outbox: operators, dispatchers, shift leaders, leaders, admins
INDICATORS = holding(Role.leader, Role.admin, Role.dispatcher, Role.shift_leader)
THREE_RATES = INDICATORS | holding(Role.operator)
HOT_ISSUES = INDICATORS | holding(Role.operator)
CITY_MAP = INDICATORS | holding(Role.operator)  # 一图观全域
VITALS = CITY_MAP  # 城市体征: read by the city map's viewers
VITAL_DEFINITION_READERS = holding(Role.admin, Role.leader)
SERIES_IMPORTERS = holding(Role.admin, Role.integration)
# performance evaluation: every kind for these; a handler the department and handler kinds
EVALUATION = INDICATORS
EVALUATION_HANDLERS = EVALUATION | holding(Role.handler)
# generated reports: read as the indicators; built on demand by leaders and administrators
REPORTS = INDICATORS
REPORT_MAKERS = holding(Role.leader, Role.admin)
HOTLINE = holding(Role.operator, Role.dispatcher, Role.shift_leader, Role.admin)
PHONE_SEARCH = HOTLINE
KNOWLEDGE_READERS = holding(
    Role.operator, Role.dispatcher, Role.shift_leader, Role.leader, Role.admin
)
KNOWLEDGE_EDITORS = holding(Role.admin, Role.shift_leader)
ROUTING_VIEWERS = holding(Role.dispatcher, Role.shift_leader, Role.operator, Role.admin)
SUGGESTERS = holding(Role.operator, Role.dispatcher)
SIMILAR = CITYWIDE | holding(Role.inspector)
# the staff who write cases upload photos; a citizen account, an integration token, a leader do not
PHOTO_UPLOADERS = holding(
    Role.operator, Role.dispatcher, Role.shift_leader, Role.handler, Role.inspector, Role.admin
)
INTAKE = holding(
    Role.operator,
    Role.dispatcher,
    Role.shift_leader,
    Role.inspector,
    Role.admin,
    Role.integration,
    Role.citizen,
)


def intake(role: str, scope: str) -> int:
    """Creating a case: the intake roles, and an actor bound to areas only within them."""
    if role in (ANON, CITIZEN):
        return 401
    if role not in INTAKE:
        return 403
    if scope == OUT and role in {"inspector", "dispatcher_x"}:
        return 403  # outside_your_areas
    return 201


def rate(role: str, scope: str) -> int:
    """The public rating is the citizen's own word: 403 staff_cannot_rate with a staff or
    integration token; P is not closed yet (409)."""
    if role in STAFF:
        return 403
    return 409 if role != ANON and scope == IN else 404


def hotline_call(role: str, scope: str) -> int:
    """Taking a call records a case: the hotline roles, an area-bound one only within its areas."""
    if role in ACCOUNTS and role not in HOTLINE:
        return 403
    return intake(role, scope)


def sign_out_cell(role: str, scope: str) -> int:
    """A signed-in user signs out (204); an API token is revoked, not signed out (422 api_token)."""
    if role == "integration":
        return 422
    return signed_in(ok=204)(role, scope)


def user_read(role: str, scope: str) -> int:
    if role in (ANON, CITIZEN):
        return 401
    return 200 if scope == IN or role == "admin" else 403


ROWS: dict[tuple[str, str], Row] = {
    # sign-in and tokens
    ("POST", "/api/v1/auth/token"): Row(sign_in_cell, sign_in),
    ("POST", "/api/v1/auth/session"): Row(sign_in_cell, start_session),
    ("POST", "/api/v1/auth/logout"): Row(sign_out_cell, sign_out),
    ("GET", "/api/v1/auth/api-tokens"): Row(signed_in(ADMIN)),
    ("POST", "/api/v1/auth/api-tokens"): Row(signed_in(ADMIN, 201), new_api_token),
    ("DELETE", "/api/v1/auth/api-tokens/{token_id}"): Row(signed_in(ADMIN), revoke_api_token),
    # users and departments
    ("GET", "/api/v1/users/me"): Row(signed_in()),
    ("GET", "/api/v1/users"): Row(signed_in(ADMIN)),
    ("POST", "/api/v1/users"): Row(signed_in(ADMIN, 201), new_user),
    ("GET", "/api/v1/users/{user_id}"): Row(user_read, on_user),
    ("PATCH", "/api/v1/users/{user_id}"): Row(signed_in(ADMIN), update_user),
    ("GET", "/api/v1/departments"): Row(signed_in()),
    ("POST", "/api/v1/departments"): Row(signed_in(ADMIN, 201), new_department),
    ("GET", "/api/v1/departments/{department_id}"): Row(signed_in(), on_department),
    ("PATCH", "/api/v1/departments/{department_id}"): Row(signed_in(ADMIN), update_department),
    # places and the responsibility list: public reads
    ("GET", "/api/v1/areas"): Row(public()),
    ("GET", "/api/v1/areas/levels"): Row(public()),
    ("GET", "/api/v1/areas/locate"): Row(public(), locate),
    ("GET", "/api/v1/areas/search"): Row(public(), place_search),
    ("GET", "/api/v1/areas/{code}"): Row(public(), on_area),
    ("GET", "/api/v1/categories"): Row(public()),
    ("GET", "/api/v1/categories/export"): Row(signed_in()),
    ("POST", "/api/v1/categories/import"): Row(signed_in(ADMIN), import_categories),
    ("GET", "/api/v1/categories/{code}"): Row(public(), on_category),
    ("PUT", "/api/v1/categories/{code}"): Row(signed_in(ADMIN), put_category),
    ("GET", "/api/v1/categories/{code}/revisions"): Row(signed_in(), on_category),
    # sensing: staff read devices and dead letters; administrators and integrations manage
    # devices; telemetry is signed by a device's own token, never a person's
    ("GET", "/api/v1/sensing/device-types"): Row(signed_in(STAFF)),
    ("GET", "/api/v1/sensing/devices"): Row(signed_in(STAFF)),
    ("POST", "/api/v1/sensing/devices"): Row(signed_in(DEVICE_MANAGERS, 201), new_device),
    ("GET", "/api/v1/sensing/devices/{code}"): Row(signed_in(STAFF), on_device),
    ("PUT", "/api/v1/sensing/devices/{code}/status"): Row(
        signed_in(DEVICE_MANAGERS), device_status
    ),
    ("POST", "/api/v1/sensing/devices/{code}/token"): Row(signed_in(DEVICE_MANAGERS), on_device),
    ("GET", "/api/v1/sensing/dead-letters"): Row(signed_in(STAFF)),
    ("POST", "/api/v1/sensing/devices/import"): Row(signed_in(DEVICE_MANAGERS), device_file),
    ("GET", "/api/v1/sensing/devices/export"): Row(signed_in(STAFF)),
    # sensing time series: every staff role sees every device for now (no scope by area yet)
    ("GET", "/api/v1/sensing/devices/{code}/series"): Row(signed_in(STAFF), device_series),
    ("GET", "/api/v1/sensing/latest"): Row(
        signed_in(STAFF), lambda w, role, scope: Req(params={"type": "air_quality"})
    ),
    ("GET", "/api/v1/sensing/health"): Row(signed_in(STAFF)),
    ("POST", "/api/v1/telemetry"): Row(public(401), staff_token_telemetry),
    # NGSI-LD: the same staff read the devices as entities and their history
    ("GET", "/ngsi-ld/v1/entities"): Row(signed_in(STAFF), ngsi_query),
    ("GET", "/ngsi-ld/v1/entities/{entity_id}"): Row(signed_in(STAFF), ngsi_entity),
    ("GET", "/ngsi-ld/v1/temporal/entities"): Row(signed_in(STAFF), ngsi_query),
    ("GET", "/ngsi-ld/v1/temporal/entities/{entity_id}"): Row(signed_in(STAFF), ngsi_entity),
    # alarms: staff read them, each within the case scope of their role (404 outside it); the
    # centre's dispatchers, shift leaders, operators and administrators handle them;
    # administrators edit, import and backtest the rules
    ("GET", "/api/v1/alarms"): Row(signed_in(STAFF), alarm_list),
    ("GET", "/api/v1/alarms/{alarm_id}"): Row(signed_in(STAFF, out=404), on_alarm),
    ("POST", "/api/v1/alarms/{alarm_id}/ack"): Row(signed_in(ALARM_HANDLERS, out=404), on_alarm),
    ("POST", "/api/v1/alarms/{alarm_id}/clear"): Row(
        signed_in(ALARM_HANDLERS, 409, out=404), on_cleared_alarm
    ),
    ("POST", "/api/v1/alarms/{alarm_id}/assign"): Row(
        signed_in(ALARM_HANDLERS, out=404), assign_alarm
    ),
    ("POST", "/api/v1/alarms/{alarm_id}/comments"): Row(
        signed_in(ALARM_HANDLERS, 201, out=404), comment_alarm
    ),
    ("GET", "/api/v1/alarm-rules"): Row(signed_in(STAFF)),
    ("GET", "/api/v1/alarm-rules/export"): Row(signed_in(STAFF)),
    # the live event stream: staff signed in (not integration tokens: they have webhooks)
    ("GET", "/api/v1/events"): Row(signed_in(STAFF - {"integration"}), event_stream),
    ("POST", "/api/v1/alarm-rules/import"): Row(signed_in(ADMIN), import_rules),
    ("GET", "/api/v1/alarm-rules/{code}"): Row(signed_in(STAFF), on_rule),
    ("PUT", "/api/v1/alarm-rules/{code}"): Row(signed_in(ADMIN), put_rule),
    ("POST", "/api/v1/alarm-rules/{code}/enable"): Row(signed_in(ADMIN), on_rule),
    ("POST", "/api/v1/alarm-rules/{code}/disable"): Row(signed_in(ADMIN), on_rule),
    ("POST", "/api/v1/alarm-rules/{code}/backtest"): Row(signed_in(ADMIN), backtest_rule),
    # the working calendar: any staff role reads it, administrators set a year
    ("GET", "/api/v1/calendar/{year}"): Row(signed_in(STAFF - {"integration"}), calendar_year),
    ("PUT", "/api/v1/calendar/{year}"): Row(signed_in(ADMIN), put_calendar_year),
    # cases
    ("POST", "/api/v1/cases"): Row(intake, new_case),
    ("GET", "/api/v1/cases"): Row(signed_in(CASE_READERS)),
    ("GET", "/api/v1/cases/export"): Row(signed_in(CASE_READERS)),
    ("GET", "/api/v1/cases/{case_id}"): Row(signed_in(CASE_READERS, out=404), on_case),
    ("GET", "/api/v1/cases/{case_id}/history"): Row(signed_in(CASE_READERS, out=404), on_case),
    ("GET", "/api/v1/case-actions"): Row(signed_in()),
    ("POST", "/api/v1/cases/{case_id}/actions/{action}"): Row(
        signed_in(ok=404), unknown_action
    ),  # a name no case type offers: 404 unknown_action for anyone signed in
    ("GET", "/api/v1/cases/{case_id}/similar"): Row(signed_in(SIMILAR, out=404), on_case),
    ("GET", "/api/v1/cases/{case_id}/routing"): Row(signed_in(ROUTING_VIEWERS, out=404), on_case),
    ("POST", "/api/v1/routing/suggest"): Row(signed_in(SUGGESTERS), suggest),
    ("POST", "/api/v1/media/photos"): Row(
        signed_in(PHOTO_UPLOADERS, 201, out=422, out_of_scope=frozenset(ACCOUNTS)), upload_photo
    ),
    ("GET", "/api/v1/indicators/cases"): Row(signed_in(INDICATORS)),
    ("GET", "/api/v1/insight/hot-issues"): Row(signed_in(HOT_ISSUES)),
    ("GET", "/api/v1/citymap/cases"): Row(signed_in(CITY_MAP)),
    ("GET", "/api/v1/citymap/devices"): Row(signed_in(CITY_MAP)),
    ("GET", "/api/v1/citymap/areas"): Row(signed_in(CITY_MAP)),
    ("GET", "/api/v1/citymap/area-counts"): Row(signed_in(CITY_MAP)),
    ("GET", "/api/v1/citymap/category-counts"): Row(signed_in(CITY_MAP)),
    # key sites (重点场所): administrators import and remove; the map's readers see those in
    # their areas (a dispatcher of street X: a site in street Y is a 404)
    ("POST", "/api/v1/citymap/key-sites/import"): Row(signed_in(ADMIN), key_site_file),
    ("GET", "/api/v1/citymap/key-sites"): Row(signed_in(CITY_MAP)),
    ("GET", "/api/v1/citymap/key-sites/{site_id}"): Row(signed_in(CITY_MAP, out=404), on_key_site),
    ("DELETE", "/api/v1/citymap/key-sites"): Row(signed_in(ADMIN), delete_key_sites),
    # the basemap: its configuration for the map's readers; its files 404 while the setting
    # names none (tests/integration/insight/test_citymap_basemap.py serves them)
    ("GET", "/api/v1/citymap/basemap"): Row(signed_in(CITY_MAP)),
    ("GET", "/basemap/tiles.pmtiles"): Row(signed_in(CITY_MAP, 404)),
    ("GET", "/basemap/{z}/{x}/{y}"): Row(
        signed_in(CITY_MAP, 404), lambda w, role, scope: Req(path={"z": 1, "x": 0, "y": 0})
    ),
    ("GET", "/api/v1/indicators/three-rates"): Row(signed_in(THREE_RATES)),
    # city vital signs: an area-bound viewer sees only the areas inside theirs (404 outside)
    ("GET", "/api/v1/vitals"): Row(signed_in(VITALS, out=404), vital_area),
    ("GET", "/api/v1/vitals/{code}/areas"): Row(signed_in(VITALS, out=404), vital_children),
    ("GET", "/api/v1/vitals/{code}/trend"): Row(signed_in(VITALS, out=404), vital_trend),
    ("GET", "/api/v1/vitals/definitions"): Row(signed_in(VITAL_DEFINITION_READERS)),
    ("PUT", "/api/v1/vitals/definitions"): Row(signed_in(ADMIN), put_vital_definitions),
    ("POST", "/api/v1/vitals/series/{series}"): Row(signed_in(SERIES_IMPORTERS), vital_series),
    ("GET", "/api/v1/evaluation/scores"): Row(signed_in(EVALUATION)),  # streets by default
    ("GET", "/api/v1/evaluation/cases"): Row(
        signed_in(EVALUATION_HANDLERS),
        lambda w, role, scope: Req(
            params={"subject": "department", "code": "CGJ", "count": "dispatched"}
        ),
    ),
    ("GET", "/api/v1/evaluation/export"): Row(signed_in(EVALUATION_HANDLERS)),
    ("GET", "/api/v1/reports"): Row(signed_in(REPORTS)),
    ("POST", "/api/v1/reports"): Row(
        signed_in(REPORT_MAKERS, 201),
        lambda w, role, scope: Req(json={"period": "2026-11", "format": "xlsx"}),
    ),
    # no such report: 404 for those who may read reports, 403 before the lookup for others
    ("GET", "/api/v1/reports/{report_id}/file"): Row(
        signed_in(REPORTS, 404), lambda w, role, scope: Req(path={"report_id": 999999})
    ),
    # webhooks: administrators
    ("POST", "/api/v1/webhooks"): Row(signed_in(ADMIN, 201), new_webhook),
    ("GET", "/api/v1/webhooks"): Row(signed_in(ADMIN)),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): Row(signed_in(ADMIN, 204), on_webhook),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): Row(signed_in(ADMIN), on_webhook),
    # the notification outbox: scoped like the cases it tells of
    ("GET", "/api/v1/notifications"): Row(signed_in(OUTBOX, out=404), notifications),
    # knowledge base and hotline
    ("GET", "/api/v1/knowledge"): Row(signed_in(KNOWLEDGE_READERS)),
    ("GET", "/api/v1/knowledge/{code}"): Row(
        signed_in(KNOWLEDGE_READERS, out=404, out_of_scope=frozenset(ACCOUNTS)), on_article
    ),
    ("POST", "/api/v1/knowledge"): Row(signed_in(KNOWLEDGE_EDITORS, 201), new_article),
    ("PUT", "/api/v1/knowledge/{code}"): Row(signed_in(KNOWLEDGE_EDITORS), update_article),
    ("GET", "/api/v1/hotline/modes"): Row(signed_in(HOTLINE)),
    ("GET", "/api/v1/hotline/callers/{phone}/appeals"): Row(signed_in(PHONE_SEARCH), caller),
    ("POST", "/api/v1/hotline/assist"): Row(signed_in(HOTLINE), assist),
    ("POST", "/api/v1/hotline/calls"): Row(hotline_call, take_call),
    # the citizen portal: public, rate-limited per address
    ("POST", "/api/v1/portal/appeals"): Row(public(201), submit_appeal),
    ("GET", "/api/v1/portal/places"): Row(public()),
    ("GET", "/api/v1/portal/categories"): Row(public()),
    ("GET", "/api/v1/portal/track/{code}"): Row(
        lambda role, scope: 200 if role != ANON and scope == IN else 404, tracking
    ),
    ("POST", "/api/v1/portal/track/{code}/rating"): Row(rate, rating),
    ("GET", "/api/v1/portal/board"): Row(public()),
    # Open311 GeoReport v2: public reads; posting needs an API key (none here)
    ("GET", "/api/v1/open311/keys"): Row(signed_in(ADMIN)),
    ("POST", "/api/v1/open311/keys"): Row(signed_in(ADMIN, 201), new_open311_key),
    ("POST", "/api/v1/open311/keys/{key_id}/revoke"): Row(signed_in(ADMIN), revoke_open311_key),
    ("GET", "/open311/v2/discovery.{fmt}"): Row(public(), open311),
    ("GET", "/open311/v2/services.{fmt}"): Row(public(), open311),
    ("GET", "/open311/v2/services/{service_code}.{fmt}"): Row(by_scope(200, 404), open311_service),
    ("POST", "/open311/v2/requests.{fmt}"): Row(public(403), open311_post),
    ("GET", "/open311/v2/requests.{fmt}"): Row(public(), open311),
    ("GET", "/open311/v2/requests/{service_request_id}.{fmt}"): Row(public(), open311_request),
    ("GET", "/open311/v2/tokens/{token}.{fmt}"): Row(public(404), open311_token),
    ("GET", "/open311/v2/servicerequestupdates.{fmt}"): Row(public(), open311),
    ("GET", "/open311/v2/{rest:path}"): Row(public(404), open311_unknown),
    # pages: shells whose data comes from the API above; the console's need a session cookie
    ("GET", "/openapi.json"): Row(public(), page),
    ("GET", "/docs"): Row(public(), page),
    ("GET", "/docs/oauth2-redirect"): Row(public(), page),
    ("GET", "/healthz"): Row(public(), page),
    ("GET", "/i18n/{lang}.json"): Row(by_scope(200, 404), i18n),
    ("GET", "/login"): Row(login_cell, console),
    ("GET", "/"): Row(console_cell, console),
    ("GET", "/cases"): Row(console_cell, console),
    ("GET", "/cases/new"): Row(console_cell, console),
    ("GET", "/cases/{case_id:int}"): Row(console_cell, console_case),
    ("GET", "/console/hotline"): Row(console_cell, console),
    ("GET", "/console/citizen"): Row(console_cell, console),
    ("GET", "/console/evaluation"): Row(console_cell, console),
    ("GET", "/console/hot-issues"): Row(console_cell, console),
    ("GET", "/console/reports"): Row(reports_page_cell, console),
    ("GET", "/map"): Row(console_cell, console),
    ("GET", "/console/citymap"): Row(console_cell, console),
    ("GET", "/console/vitals"): Row(console_cell, console),
    ("GET", "/vitals"): Row(public(307), page),  # the short address of /console/vitals
    ("GET", "/console/bigscreen"): Row(console_cell, console),
    ("GET", "/admin"): Row(admin_page_cell, console),
    ("GET", "/console/alarms"): Row(sensing_page_cell, console),
    ("GET", "/console/rules"): Row(sensing_page_cell, console),
    ("GET", "/console/devices"): Row(sensing_page_cell, console),
    ("GET", "/console/devices/{code}"): Row(sensing_page_cell, on_device_page),
    ("GET", "/console/sensing/dead-letters"): Row(sensing_page_cell, console),
    ("GET", "/m"): Row(mobile_page_cell, console),
    ("GET", "/m/sw.js"): Row(public(), page),
    ("GET", "/m/manifest.webmanifest"): Row(public(), page),
    ("GET", "/portal"): Row(public(), page),
    ("GET", "/portal/track"): Row(public(), page),
    ("GET", "/portal/track/{code}"): Row(public(), page_track),
    ("GET", "/portal/board"): Row(public(), page),
    ("GET", "/media/{year}/{month}/{name}"): Row(by_scope(200, 404), media),
    ("GET", "/static"): Row(public(), page),
}
# the workflow actions, one route each: a family read from the registry
ACTION_PATH = "/api/v1/cases/{case_id}/actions/"
for _spec in WORKFLOW:
    ROWS[("POST", ACTION_PATH + _spec.name)] = Row(action_cell(_spec.name), action(_spec.name))

# answers that carry alarms: a scoped actor's never name the alarm device out of scope (the
# device itself is not scoped yet: the device list and its readings name it)
SCOPED_ALARM_PATHS = ("/api/v1/alarms", "/api/v1/events")

# Paths of mounts: a request goes to a file inside
MOUNT_PATHS = {"/static": "/static/css/console.css"}


# --- building the world once per module and backend ------------------------------------------

PUBLIC_PREFIXES = ("/api/v1/portal", "/open311")  # public whatever token comes along


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 60, 40)).save(out, format="JPEG")
    return out.getvalue()


def _truncate(url: str) -> None:
    from sqlalchemy import create_engine, text

    from cityops.tables import metadata

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        path = tmp / "cityops.db"
        path.write_bytes(sqlite_template.read_bytes())
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        _truncate(url)
    settings = Settings(
        env="test",
        database_url=url,
        router_model_dir=tmp / "no-model",
        portal_submits_per_minute=100_000,
        portal_reads_per_minute=100_000,
        public_reads_per_minute=100_000,
        webhook_allow_networks=(ip_network("127.0.0.1/32"),),  # a closed port: nothing listens
    )
    platform = build_platform(settings, clock=FixedClock(T0), migrate=False)
    platform.portal.photos.root = tmp / "uploads"
    with TestClient(create_app(platform)) as client:
        yield _build_world(platform, client)
    platform.close()


def _build_world(platform: Platform, client: TestClient) -> World:
    city = build_city(platform, client)
    with platform.uow() as uow:
        for username, roles, areas in [
            ("adm", ["admin"], ()),
            ("intg", ["integration"], ()),
            ("disp_x", ["dispatcher"], (STREET,)),
        ]:
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(
                    username=username,
                    password=PASSWORD,
                    display_name=username,
                    roles=roles,
                    area_codes=areas,
                ),
            )
    # case A: reported by the inspector of street X, dispatched to CGJ
    a = city.create("insp", area_code=GRID, category_code=LAMP)
    if a["status"] == "reported":
        a = city.act("op", a, "register")
    a = city.act("disp", a, "dispatch")
    # case B: a citizen's appeal in street Y (with a phone, so it has notifications), to SWJ
    lon, lat = city.point_in(OTHER_GRID)
    r = client.post(
        "/api/v1/portal/appeals",
        data={
            "appeal_type": "complaint",
            "description": "文新路的水管爆了，水流了一地",
            "category_code": LEAK,
            "lon": str(lon),
            "lat": str(lat),
            "phone": PHONE_B,
        },
    )
    assert r.status_code == 201, r.text
    code_b = r.json()["tracking_code"]
    b = _case_by_code(city, code_b)
    b = city.act("disp", city.act("op", b, "register"), "dispatch")
    # appeal P: the citizen's own, in street X, with a photo; still reported
    lon, lat = city.point_in(GRID)
    r = client.post(
        "/api/v1/portal/appeals",
        data={
            "appeal_type": "complaint",
            "description": "湖滨路口的路灯晚上不亮，已经三天了",
            "category_code": LAMP,
            "lon": str(lon),
            "lat": str(lat),
            "phone": PHONE_P,
        },
        files=[("photos", ("lamp.jpg", _jpeg(), "image/jpeg"))],
    )
    assert r.status_code == 201, r.text
    code_p = r.json()["tracking_code"]
    track = client.get(f"/api/v1/portal/track/{code_p}").json()
    photo_p = track["photos"][0] if track.get("photos") else ""
    platform.relay.drain()  # the events after commit: the notifications of P and B recorded
    admin = city.auth("adm")
    users = client.get("/api/v1/users", headers=admin).json()
    departments = client.get("/api/v1/departments", headers=admin).json()
    article = client.post(
        "/api/v1/knowledge",
        json=article_body() | {"code": "KBM0"},
        headers=admin,
    )
    assert article.status_code == 201, article.text
    return World(
        platform=platform,
        client=client,
        case_a=a,
        case_b=b,
        code_p=code_p,
        code_b=code_b,
        photo_p=photo_p,
        user_ids={u["username"]: u["id"] for u in _items(users)},
        department_ids={d["code"]: d["id"] for d in _items(departments)},
        category_lamp=client.get(f"/api/v1/categories/{LAMP}").json(),
        categories_csv=client.get("/api/v1/categories/export", headers=admin).content,
        article_code="KBM0",
    )


def _items(page: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = page["items"] if isinstance(page, dict) else page
    return items


def _case_by_code(city: City, code: str) -> dict[str, Any]:
    with city.platform.read() as s:
        case_id = s.execute(select(cases.c.id).where(cases.c.tracking_code == code)).scalar_one()
    return city.get("disp", case_id)


# --- the tests -------------------------------------------------------------------------------


def _app_routes(routes: Any) -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through the included routers; a mount as ("GET", path)."""
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from _app_routes(nested())
            continue
        methods = getattr(route, "methods", None) or {"GET"}
        for method in sorted(set(methods) - {"HEAD"}):
            yield method, route.path


def test_every_route_has_a_row(world: World) -> None:
    routes = set(_app_routes(world.client.app.routes))  # type: ignore[attr-defined]
    # the catch-all of Open311 takes every method; its GET row stands for them
    routes = {(m, p) for m, p in routes if p != "/open311/v2/{rest:path}" or m == "GET"}
    missing = sorted(routes - set(ROWS))
    assert not missing, (
        "routes without a row in the access matrix (tests/integration/web/test_access_matrix.py"
        f" ROWS): {missing}"
    )
    stale = sorted(set(ROWS) - routes)
    assert not stale, f"rows of the access matrix for routes the app no longer has: {stale}"


def test_every_role_has_a_column() -> None:
    held = frozenset().union(*(roles for _, roles in ACCOUNTS.values()))
    assert held == set(Role), f"roles without an account in the matrix: {set(Role) - held}"


def test_every_action_takes_a_version_only_body() -> None:
    for spec in WORKFLOW:
        spec.body.model_validate(ACTION_BODY)


def _ask(w: World, method: str, path: str, role: str, scope: str) -> tuple[Any, str]:
    req = ROWS[(method, path)].build(w, role, scope)
    template = re.sub(r"\{(\w+):\w+\}", r"{\1}", MOUNT_PATHS.get(path, path))  # {x:int} → {x}
    url = template.format(**req.path)
    token = w.token(role) if req.token is True else req.token or None
    headers = {**req.headers, **_bearer(token)}
    session_token = w.token(role) if req.session else None
    if session_token:
        codec = w.client.app.state.sessions  # type: ignore[attr-defined]
        cookie = codec.pack(session_token, w.platform.clock.now())
        headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    response = w.client.request(
        method,
        url,
        params=req.params,
        json=req.json,
        data=req.data,
        files=req.files,
        content=req.content,
        headers=headers,
        follow_redirects=False,
    )
    w.client.cookies.clear()  # a sign-in's cookies stay with its own cell
    return response, url


def _tracking_codes(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [str(v) for k, v in value.items() if k == "tracking_code" and v]
        return found + [c for v in value.values() for c in _tracking_codes(v)]
    if isinstance(value, list):
        return [c for v in value for c in _tracking_codes(v)]
    return []


@pytest.mark.parametrize(("method", "path"), sorted(ROWS), ids=lambda v: str(v))
def test_cell(world: World, method: str, path: str) -> None:
    row = ROWS[(method, path)]
    wrong: list[str] = []
    for role in ROLES:
        for scope in SCOPES:
            response, url = _ask(world, method, path, role, scope)
            expected = row.expect(role, scope)
            got = response.status_code
            where = f"{role:16} {scope:3} {method} {url}"
            if got >= 500 or got != expected:
                wrong.append(f"{where}: expected {expected}, got {got} {response.text[:160]}")
                continue
            if not 200 <= got < 300 or path.startswith(PUBLIC_PREFIXES):
                continue
            body = response.text
            if role in SCOPED and world.case_b["number"] in body:
                wrong.append(f"{where}: names case B {world.case_b['number']}, out of scope")
            out_device = ALARM_DEVICES[OUT][0]
            if role in SCOPED and path.startswith(SCOPED_ALARM_PATHS) and out_device in body:
                wrong.append(f"{where}: names the alarm of {out_device}, out of scope")
            if role in ACCOUNTS and path.startswith("/api/v1"):
                json_body = "json" in response.headers.get("content-type", "")
                codes = _tracking_codes(response.json()) if json_body else []
                codes += [c for c in (world.code_p, world.code_b) if c in body]
                if codes:
                    wrong.append(f"{where}: shows tracking codes {sorted(set(codes))}")
    assert not wrong, f"{len(wrong)} cells of {method} {path}:\n" + "\n".join(wrong)
