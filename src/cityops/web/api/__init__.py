"""API routers under /api/v1. Each module exposes `router`."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from cityops.web.api import (
        alarms,
        areas,
        auth,
        calendar,
        case_actions,
        cases,
        categories,
        citymap,
        departments,
        duplicates,
        evaluation,
        events,
        followup,
        hot_issues,
        hotline,
        indicators,
        knowledge,
        media,
        ngsi_ld,
        notifications,
        open311,
        open311_keys,
        portal,
        reports,
        routing,
        sensing,
        sensing_files,
        users,
        vitals,
        webhooks,
    )

    return [
        auth.router,
        users.router,
        departments.router,
        areas.router,
        categories.router,
        cases.router,
        case_actions.router,
        indicators.router,
        hot_issues.router,
        citymap.router,
        evaluation.router,
        vitals.router,
        reports.router,
        webhooks.router,
        open311_keys.router,
        open311.router,
        portal.router,
        notifications.router,
        duplicates.router,
        followup.router,
        routing.router,
        knowledge.router,
        hotline.router,
        calendar.router,
        media.router,
        alarms.router,
        sensing_files.router,  # before sensing's /sensing/devices/{code}
        sensing.router,
        ngsi_ld.router,
        events.router,
    ]
