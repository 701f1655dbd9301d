"""The 回访 answers tests give the engine's `evaluate`, and FixMyStreet's update states that the
Open311 tests check against (written down from the spec, not taken from the code under test)."""

from __future__ import annotations

from typing import Any

# reached, not resolved, unsatisfied, asks for 重办
UNSATISFIED_REOPEN: dict[str, Any] = {
    "contacted": True,
    "resolved": False,
    "satisfaction": "unsatisfied",
    "reopen": True,
}

# The states of mySociety open311-adapter's Open311::Endpoint::Service::Request::Update::mySociety
FMS_UPDATE_STATES = frozenset(
    {
        "open",
        "closed",
        "fixed",
        "in_progress",
        "planned",
        "action_scheduled",
        "investigating",
        "duplicate",
        "not_councils_responsibility",
        "no_further_action",
        "internal_referral",
        "reopen",
        "for_triage",
    }
)
