"""Who is acting: a user (or the system), their roles and the scope they act in."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    operator = "operator"  # 受理员
    dispatcher = "dispatcher"  # 派遣员
    shift_leader = "shift_leader"  # 值班长
    handler = "handler"  # 承办人 (of a department)
    inspector = "inspector"  # 监督员/网格员 (of grids)
    leader = "leader"  # 领导
    admin = "admin"  # 管理员
    citizen = "citizen"  # 市民 (portal, Open311)
    integration = "integration"  # API token of an integrated system


# Roles that see the whole city (narrowed to their areas when the actor has area codes): where
# the case scope (cases/scoping.py) and the alarm scope (sensing/scoping.py) both start.
CITYWIDE_ROLES = (Role.admin, Role.leader, Role.dispatcher, Role.shift_leader, Role.operator)


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting party. `department_id` binds handlers; `area_codes` scope inspectors and
    offices."""

    user_id: int | None
    username: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    department_id: int | None = None
    department_code: str | None = None
    area_codes: tuple[str, ...] = ()
    display_name: str = ""

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_system(self) -> bool:
        return self.user_id is None and self.username == "system"

    @property
    def primary_role(self) -> str:
        for role in Role:
            if role in self.roles:
                return role.value
        return "system" if self.is_system else "anonymous"


SYSTEM = Actor(user_id=None, username="system", roles=frozenset({Role.admin}), display_name="系统")


def anonymous_citizen() -> Actor:
    return Actor(user_id=None, username="citizen", roles=frozenset({Role.citizen}))
