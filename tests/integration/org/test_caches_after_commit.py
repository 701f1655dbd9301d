"""The org caches are cleared once a change commits: a request served while the change was still
open, which cached the old row, does not keep serving it afterwards."""

from __future__ import annotations

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM, Role
from cityops.org.public import DepartmentUpdate, UserUpdate


def test_a_department_read_during_its_change_is_not_served_after_the_commit(
    org: Platform,
) -> None:
    with org.read() as session:
        dept = org.org.department_by_code(session, "CGJ")
    with org.uow() as uow:
        org.org.update_department(uow, SYSTEM, dept.id, DepartmentUpdate(name="城市管理局（新）"))
        with org.read() as session:  # another request, before the commit: caches the old name
            assert org.org.department_by_id(session, dept.id).name == "城市管理局"
    with org.read() as session:
        assert org.org.department_by_id(session, dept.id).name == "城市管理局（新）"


def test_an_actor_read_during_a_role_change_is_not_served_after_the_commit(
    org: Platform,
) -> None:
    with org.read() as session:
        token = org.org.access_token_for_user(session, "op1").access_token
        user_id = org.org.actor_from_token(session, token).user_id
    assert user_id is not None
    with org.uow() as uow:
        org.org.update_user(uow, SYSTEM, user_id, UserUpdate(roles=("dispatcher",)))
        with org.read() as session:  # a request of op1's, before the commit
            assert org.org.actor_from_token(session, token).roles == {Role.operator}
    with org.read() as session:
        assert org.org.actor_from_token(session, token).roles == {Role.dispatcher}
