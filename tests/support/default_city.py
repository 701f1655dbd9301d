"""The default test city used by Open311 and browser tests: the generated demo city, the default
responsibility list with its departments, and a street office (`JD<street code>`) per street."""

from __future__ import annotations

from cityops.app import Platform
from cityops.geo.public import AreaLevel
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment
from cityops.taxonomy.public import default_departments, load_default_taxonomy


def seed_default_departments(p: Platform) -> None:
    """The departments the default responsibility list names (it refuses unknown ones)."""
    with p.uow() as uow:
        for spec in default_departments():
            p.org.create_department(
                uow, SYSTEM, NewDepartment(spec.code, spec.name, DepartmentKind(spec.kind))
            )


def seed_default_city(p: Platform) -> None:
    with p.uow() as uow:
        p.geo.generate_demo_city(uow, SYSTEM)
    seed_default_departments(p)
    with p.uow() as uow:
        load_default_taxonomy(uow, p.taxonomy, SYSTEM)
    with p.read() as session:
        streets = p.geo.list_areas(session, AreaLevel.street)
    with p.uow() as uow:
        for street in streets:
            p.org.create_department(
                uow,
                SYSTEM,
                NewDepartment(
                    f"JD{street.code}",
                    f"{street.name}办事处",
                    DepartmentKind.street_office,
                    area_code=street.code,
                ),
            )
