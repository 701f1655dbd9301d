"""How a rating reached the satisfaction figures (评价渠道). The figures judge departments, so
each rating says whether the citizen gave it themselves or a staff member recorded the citizen's
answer, and who."""

from __future__ import annotations

from enum import StrEnum


class RatingChannel(StrEnum):
    portal = "portal"  # the citizen, on the portal with the tracking code (门户评价)
    followup = "followup"  # a staff member's 回访 recording the citizen's answer


# The username the portal evaluates under in the case engine (no user account behind it).
PORTAL_USERNAME = "portal"


def channel_of(actor: str, user_id: int | None) -> RatingChannel:
    """The channel of an evaluation made by `actor` (a username) with user id `user_id`: the
    portal acts without a user account; anything a user did is that user's 回访."""
    if user_id is None and actor == PORTAL_USERNAME:
        return RatingChannel.portal
    return RatingChannel.followup
