"""Every hotline and knowledge-base use case checks its rule: an actor without roles is refused
before any data is touched, and so is a handler; writing the knowledge base is for admins and
shift leaders only."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cityops.app import Platform
from cityops.appeals.hotline.model import AssistQuery, NewCall
from cityops.appeals.knowledge.model import ArticleDraft
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

NOBODY = Actor(user_id=999, username="nobody")
HANDLER = Actor(user_id=5, username="h", roles=frozenset({Role.handler}))
OPERATOR = Actor(user_id=6, username="o", roles=frozenset({Role.operator}))
DRAFT = ArticleDraft(code="KB900", title="测试", answer="测试答复")
CALL = NewCall(phone=None, appeal_type="help", text="路灯不亮了", category_code="E9001")


def _calls() -> dict[str, Callable[[Platform, Actor], object]]:
    def modes(p: Platform, a: Actor) -> object:
        return p.hotline.mode_rights(a)

    def callers(p: Platform, a: Actor) -> object:
        with p.read() as s:
            return p.hotline.caller_appeals(s, a, "13812345678")

    def assist(p: Platform, a: Actor) -> object:
        with p.read() as s:
            return p.hotline.assist(s, a, AssistQuery(text="路灯不亮"))

    def take_call(p: Platform, a: Actor) -> object:
        with p.uow() as uow:
            return p.hotline.take_call(uow, a, CALL)

    def search(p: Platform, a: Actor) -> object:
        with p.read() as s:
            return p.knowledge.search(s, a, "公积金")

    def list_(p: Platform, a: Actor) -> object:
        with p.read() as s:
            return p.knowledge.list_articles(s, a)

    def get(p: Platform, a: Actor) -> object:
        with p.read() as s:
            return p.knowledge.get_article(s, a, "KB001")

    def create(p: Platform, a: Actor) -> object:
        with p.uow() as uow:
            return p.knowledge.create_article(uow, a, DRAFT)

    def update(p: Platform, a: Actor) -> object:
        with p.uow() as uow:
            return p.knowledge.update_article(uow, a, DRAFT)

    def import_(p: Platform, a: Actor) -> object:
        with p.uow() as uow:
            return p.knowledge.import_articles(uow, a, [])

    def defaults(p: Platform, a: Actor) -> object:
        with p.uow() as uow:
            return p.knowledge.load_defaults(uow, a)

    return {
        "modes": modes,
        "callers": callers,
        "assist": assist,
        "take_call": take_call,
        "search": search,
        "list": list_,
        "get": get,
        "create": create,
        "update": update,
        "import": import_,
        "defaults": defaults,
    }


WRITES = ["create", "update", "import", "defaults"]


@pytest.mark.parametrize("name", sorted(_calls()))
def test_actor_without_roles_is_refused(platform: Platform, name: str) -> None:
    with pytest.raises(PermissionDenied):
        _calls()[name](platform, NOBODY)


@pytest.mark.parametrize("name", sorted(_calls()))
def test_handler_is_refused(platform: Platform, name: str) -> None:
    with pytest.raises(PermissionDenied):
        _calls()[name](platform, HANDLER)


@pytest.mark.parametrize("name", WRITES)
def test_operator_does_not_write_the_knowledge_base(platform: Platform, name: str) -> None:
    with pytest.raises(PermissionDenied) as err:
        _calls()[name](platform, OPERATOR)
    assert err.value.code == "cannot_manage_knowledge"


def test_listing_retired_articles_is_for_editors(platform: Platform) -> None:
    with platform.read() as s, pytest.raises(PermissionDenied):
        platform.knowledge.list_articles(s, OPERATOR, include_inactive=True)
