"""Every portal use case checks its rule: an actor without roles is refused before any data is
touched; staff other than operators may not read the outbox; only a citizen rates."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cityops.app import Platform
from cityops.appeals.portal.model import NewAppeal, NewRating
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

NOBODY = Actor(user_id=999, username="nobody")
HANDLER = Actor(user_id=5, username="h", roles=frozenset({Role.handler}))


def _calls() -> dict[str, Callable[[Platform, Actor], object]]:
    def submit(p: Platform, a: Actor) -> object:
        return p.portal.submit_appeal(p.uow, a, NewAppeal("help", "描述足够长了"))

    def track(p: Platform, a: Actor) -> object:
        with p.read() as s:
            return p.portal.track_case(s, a, "abcdefgh")

    def rate(p: Platform, a: Actor) -> object:
        with p.uow() as uow:
            return p.portal.rate_case(uow, a, "abcdefgh", NewRating("satisfied"))

    def board(p: Platform, a: Actor) -> object:
        with p.read() as s:
            return p.portal.read_board(s, a)

    def outbox(p: Platform, a: Actor) -> object:
        with p.read() as s:
            return p.notify.list_notifications(s, a)

    return {"submit": submit, "track": track, "rate": rate, "board": board, "outbox": outbox}


@pytest.mark.parametrize("name", sorted(_calls()))
def test_actor_without_roles_is_refused(platform: Platform, name: str) -> None:
    with pytest.raises(PermissionDenied):
        _calls()[name](platform, NOBODY)


@pytest.mark.parametrize("name", ["rate", "outbox"])
def test_handler_is_refused(platform: Platform, name: str) -> None:
    with pytest.raises(PermissionDenied):
        _calls()[name](platform, HANDLER)
