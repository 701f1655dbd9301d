"""A city with one device of each shipped type, for the sensing integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.sensing.public import NewDevice, RegisteredDevice

ORIGIN = (120.121, 30.251)  # inside the generated demo city


@pytest.fixture
def sensing_platform(settings: Settings, clock: FixedClock) -> Iterator[Platform]:
    p = build_platform(settings, clock=clock, migrate=False)
    with p.uow() as uow:
        p.geo.generate_demo_city(uow, SYSTEM)
    yield p
    p.close()


def register(
    p: Platform, code: str, type_code: str = "air_quality", **kw: object
) -> RegisteredDevice:
    with p.uow() as uow:
        return p.sensing.register_device(
            uow.session,
            SYSTEM,
            NewDevice(code=code, type_code=type_code, lon=ORIGIN[0], lat=ORIGIN[1], **kw),  # type: ignore[arg-type]
        )
