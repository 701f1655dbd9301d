"""Departments and staff accounts of the demo city."""

from __future__ import annotations

from dataclasses import dataclass

from cityops.app import Platform
from cityops.geo.public import AreaLevel, AreaRef
from cityops.kernel.actor import SYSTEM, Role
from cityops.org.public import DepartmentKind, NewDepartment, NewUser
from cityops.taxonomy.public import default_departments

DEMO_PASSWORD = "cityops-demo"  # demo accounts only; printed by `cityops demo`


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    display_name: str
    department_code: str | None = None
    area_codes: tuple[str, ...] = ()
    extra_roles: tuple[Role, ...] = ()


@dataclass(frozen=True)
class DemoOrg:
    accounts: tuple[DemoAccount, ...]  # the ones worth printing
    handlers: dict[str, str]  # department code -> handler username
    inspectors: dict[str, str]  # street code -> inspector username


def street_office_code(street: AreaRef) -> str:
    return f"JD{street.code}"


def district_government_code(district: AreaRef) -> str:
    return f"QZ{district.code}"


def seed_org(platform: Platform) -> DemoOrg:
    """Create every department the responsibility list routes to, a government for each district
    and an office for each street, and staff for them."""
    with platform.uow() as uow:
        session = uow.session
        districts = platform.geo.list_areas(session, AreaLevel.district, None)
        streets = platform.geo.list_areas(session, AreaLevel.street, None)
        codes: list[str] = []
        for spec in default_departments():
            platform.org.create_department(
                uow, SYSTEM, NewDepartment(spec.code, spec.name, DepartmentKind(spec.kind))
            )
            codes.append(spec.code)
        for d in districts:
            code = district_government_code(d)
            platform.org.create_department(
                uow,
                SYSTEM,
                NewDepartment(
                    code, f"{d.name}人民政府", DepartmentKind.district_government, d.code
                ),
            )
            codes.append(code)
        for s in streets:
            code = street_office_code(s)
            name = s.name if s.name.endswith("办事处") else f"{s.name}办事处"
            platform.org.create_department(
                uow, SYSTEM, NewDepartment(code, name, DepartmentKind.street_office, s.code)
            )
            codes.append(code)

        first_street = streets[0].code if streets else None
        staff = [
            DemoAccount("admin", Role.admin, "系统管理员"),
            DemoAccount("operator", Role.operator, "王受理"),
            DemoAccount("dispatcher", Role.dispatcher, "李派遣"),
            # a hotline seat with 直派 rights: takes calls and dispatches them in one step
            DemoAccount("hotline", Role.operator, "孙话务", extra_roles=(Role.dispatcher,)),
            DemoAccount("shift", Role.shift_leader, "赵值班长"),
            DemoAccount("leader", Role.leader, "陈主任"),
            DemoAccount("handler", Role.handler, "周承办", department_code="CGJ"),
        ]
        if first_street is not None:
            staff.append(
                DemoAccount("inspector", Role.inspector, "吴网格员", area_codes=(first_street,))
            )
        handlers: dict[str, str] = {"CGJ": "handler"}
        for code in codes:
            if code not in handlers:
                handlers[code] = f"h_{code.lower()}"
        inspectors: dict[str, str] = {}
        for s in streets:
            inspectors[s.code] = "inspector" if s.code == first_street else f"i_{s.code}"
        everyone = list(staff)
        for code, username in handlers.items():
            if username != "handler":
                everyone.append(
                    DemoAccount(username, Role.handler, f"{code}承办人", department_code=code)
                )
        for street_code, username in inspectors.items():
            if username != "inspector":
                everyone.append(
                    DemoAccount(username, Role.inspector, "网格员", area_codes=(street_code,))
                )
        for acc in everyone:
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(
                    username=acc.username,
                    password=DEMO_PASSWORD,
                    roles=(acc.role, *acc.extra_roles),
                    display_name=acc.display_name,
                    department_code=acc.department_code,
                    area_codes=acc.area_codes,
                ),
            )
    return DemoOrg(accounts=tuple(staff), handlers=handlers, inspectors=inspectors)
