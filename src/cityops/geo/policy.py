"""Who may do what in the geo domain: one rule per use case.

Reading areas (lists, shapes, point lookup) is public: the city map is published to everyone, so
the read methods of GeoService take no actor. Changing the areas is for administrators (and the
system actor, which carries the admin role: demo set-up, CLI)."""

from __future__ import annotations

from collections.abc import Callable

from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied


def _admin_only(doing: str) -> Callable[[Actor], None]:
    def rule(actor: Actor) -> None:
        if not actor.has(Role.admin):
            raise PermissionDenied(f"only an administrator may {doing}", code="admin_only")

    rule.__name__ = f"may_{doing.replace(' ', '_')}"
    return rule


may_import_areas = _admin_only("import areas")
may_generate_grids = _admin_only("generate grids")
may_build_demo_city = _admin_only("build the demo city")

# use case (GeoService method) → its rule; tests/unit/geo/test_policy.py proves each one denies
POLICIES: dict[str, Callable[[Actor], None]] = {
    "import_areas": may_import_areas,
    "import_hangzhou_xiacheng": may_import_areas,
    "generate_grids": may_generate_grids,
    "generate_demo_city": may_build_demo_city,
}
