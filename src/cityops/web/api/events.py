"""API: the live event stream of a console tab, GET /api/v1/events (Server-Sent Events).

One stream per tab carries new cases and case changes, alarms and (when insight emits them)
indicator and rank changes, as `id:` (the outbox id), `event:` (the wire name) and `data:` (a
minimal JSON payload: web/event_stream.py). `?topics=case,alarm,indicator` narrows it by
wire-name prefix. A reconnect resumes after `Last-Event-ID` (or `?last_event_id=`, for a first
connection that knows where it stopped) from the outbox table: exactly the events missed. When
more than `REPLAY_MAX` are missed, or the id is older than what the outbox keeps, the stream
says `reset` instead (reload, then follow). Comments keep the connection alive every 15 s; a
stream ends after `max_seconds` (at most 5 minutes), the browser reconnects by itself, and the
sign-in is checked again. Staff only (bearer token or the console's session cookie)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from cityops.app import Platform
from cityops.infra.outbox_tail import OutboxTail, kept_range, rows_between
from cityops.kernel.errors import PermissionDenied
from cityops.web.deps import CurrentActor, PlatformDep
from cityops.web.event_stream import (
    END,
    RETRY_MS,
    EventHub,
    Frame,
    Subscriber,
    Visible,
    audience_allows,
    control,
    frame_for,
    may_stream,
    topic_prefixes,
    visible_in,
)

router = APIRouter(prefix="/api/v1", tags=["events"])

MAX_STREAM_SECONDS = 300
REPLAY_MAX = 1000


async def event_hub(request: Request, platform: Platform) -> EventHub:
    """The app's hub, made and started at the first stream (app.state.event_hub)."""
    state = request.app.state
    hub: EventHub | None = getattr(state, "event_hub", None)
    if hub is None:
        hub = EventHub(OutboxTail(platform.engine), platform.engine.connect)
        state.event_hub = hub
    await run_in_threadpool(hub.start, asyncio.get_running_loop())
    return hub


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_events(
    request: Request,
    actor: CurrentActor,
    platform: PlatformDep,
    topics: Annotated[str | None, Query(max_length=200)] = None,
    last_event_id: Annotated[int | None, Query(ge=0)] = None,
    max_seconds: Annotated[int, Query(ge=0, le=MAX_STREAM_SECONDS)] = MAX_STREAM_SECONDS,
    last_event_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    if not may_stream(actor):
        raise PermissionDenied("the event stream is for staff")
    resume = last_event_id
    if last_event_header and last_event_header.strip().isdigit():
        resume = int(last_event_header.strip())
    hub = await event_hub(request, platform)
    sub = hub.subscribe(actor, topic_prefixes(topics), max_seconds)
    try:
        opening = await run_in_threadpool(_opening, platform, sub, resume)
    except BaseException:
        hub.unsubscribe(sub)
        raise
    return StreamingResponse(
        _stream(hub, sub, opening, max_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _opening(platform: Platform, sub: Subscriber, resume: int | None) -> bytes:
    """The retry hint, then the replay of (resume, sub.floor] — or `reset` where it cannot."""
    parts = [f"retry: {RETRY_MS}\n\n".encode()]
    if resume is None or resume >= sub.floor:
        if resume is not None and resume > sub.floor:  # an id this database never gave
            parts.append(control("reset", {"reason": "unknown_id"}, sub.floor))
        return b"".join(parts)
    with platform.engine.connect() as conn:
        oldest, _ = kept_range(conn)
        rows = rows_between(conn, resume, sub.floor, REPLAY_MAX + 1)
        frames = [f for f in (frame_for(r) for r in rows) if f is not None]
        visible = visible_in(conn, sub.actor, frames)
        conn.rollback()
    if len(rows) > REPLAY_MAX or (oldest and resume < oldest - 1):
        parts.append(control("reset", {"reason": "too_far_behind"}, sub.floor))
        return b"".join(parts)
    parts += [f.data for f in frames if _sends(sub, f, visible)]
    return b"".join(parts)


def _sends(sub: Subscriber, frame: Frame, visible: Visible) -> bool:
    wanted = not sub.prefixes or frame.name.startswith(sub.prefixes)
    return wanted and audience_allows(sub.actor, frame, visible)


async def _stream(
    hub: EventHub, sub: Subscriber, opening: bytes, max_seconds: int
) -> AsyncIterator[bytes]:
    """The opening, then what the hub puts in the queue (frames, keep-alives) until END. No
    timer per stream: the hub's ticker sends the keep-alives and the END of `max_seconds`."""
    try:
        yield opening
        if max_seconds <= 0:
            return
        while True:
            chunk = [await sub.queue.get()]
            while not sub.queue.empty():  # what else waits goes in the same write
                chunk.append(sub.queue.get_nowait())
            if END in chunk:
                yield b"".join(chunk[: chunk.index(END)])
                return
            yield b"".join(chunk)
    finally:
        hub.unsubscribe(sub)
