"""CLI: hot issues (热点诉求) in exported citizen messages, for offline analysis of a CSV."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cityops.cli.context import console, err_console
from cityops.insight.public import HotspotMessage, HotspotReport, HotspotSettings, find_hotspots
from cityops.kernel.clock import SHANGHAI

app = typer.Typer(no_args_is_help=True)

_DATE_TIME = re.compile(
    r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?\s*$"
)


def parse_time(text: str) -> datetime:
    """A local (Asia/Shanghai) time written as 2019/2/28 11:25:05, 2019-08-01 09:05:00,
    2019-08-01 09:05, 2019/8/1 or 2019年8月1日, as an aware datetime."""
    match = _DATE_TIME.match(text)
    if match is None:
        raise ValueError(f"not a date and time: {text!r}")
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    return datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)


def _columns(spec: str, header: list[str], option: str) -> list[str]:
    names = [n.strip() for n in re.split(r"[+]", spec) if n.strip()]
    missing = [n for n in names if n not in header]
    if missing or not names:
        raise ValueError(f"{option}: no column {', '.join(missing) or spec!r} in the file")
    return names


def _votes(spec: str | None, header: list[str]) -> tuple[str | None, str | None]:
    if spec is None:
        return None, None
    up, _, down = spec.partition("-")
    _columns(up, header, "--votes-col")
    if down:
        _columns(down, header, "--votes-col")
    return up.strip(), (down.strip() or None)


def _int(value: str | None) -> int:
    try:
        return int(float(value)) if value and value.strip() else 0
    except ValueError:
        return 0


def read_messages(
    data: Path,
    text_col: str,
    time_col: str,
    votes_col: str | None,
    id_col: str | None,
    sender_col: str | None,
) -> Iterator[HotspotMessage]:
    """The rows of a UTF-8 CSV as messages; a row whose time cannot be read is an error."""
    with data.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        texts = _columns(text_col, header, "--text-col")
        _columns(time_col, header, "--time-col")
        up, down = _votes(votes_col, header)
        if id_col is not None:
            _columns(id_col, header, "--id-col")
        if sender_col is not None:
            _columns(sender_col, header, "--sender-col")
        for line, row in enumerate(reader, start=2):
            try:
                posted = parse_time(row[time_col] or "")
            except ValueError as exc:
                raise ValueError(f"line {line}: {exc}") from exc
            parts = [(row[c] or "").strip() for c in texts]
            subject, body = (parts[0], "\n".join(parts[1:])) if len(parts) > 1 else ("", parts[0])
            yield HotspotMessage(
                message_id=(row[id_col] or "").strip() if id_col else str(line - 1),
                subject=subject,
                body=body,
                posted_at=posted,
                votes_up=_int(row[up]) if up else 0,
                votes_down=_int(row[down]) if down else 0,
                sender=((row[sender_col] or "").strip() or None) if sender_col else None,
            )


def _span(report: HotspotReport, index: int) -> str:
    issue = report.issues[index]
    first = issue.first_at.astimezone(SHANGHAI).date()
    last = issue.last_at.astimezone(SHANGHAI).date()
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}~{last:%Y-%m-%d}"


def _print(report: HotspotReport, data: Path) -> None:
    table = Table(
        title=f"hot issues in {data.name}: {report.messages} messages, {report.groups} groups, "
        f"now = {report.now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
        show_lines=False,
    )
    for name, justify in (
        ("rank", "right"),
        ("heat", "right"),
        ("title", "left"),
        ("span", "left"),
        ("count", "right"),
        ("place", "left"),
        ("votes", "right"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for index, issue in enumerate(report.issues):
        mark = " [bold red]↑新[/bold red]" if issue.emerging else ""
        table.add_row(
            str(issue.rank),
            f"{issue.heat:.1f}",
            escape(issue.title) + mark,
            _span(report, index),
            str(issue.count),
            escape(issue.place or "—"),
            str(issue.votes),
        )
    # a console made now reads the terminal (or COLUMNS) as it is at this call, not at import
    Console().print(table)


@app.command("hotspots")
def hotspots(
    data: Annotated[
        Path, typer.Option("--data", exists=True, dir_okay=False, help="messages CSV (UTF-8)")
    ],
    text_col: Annotated[
        str,
        typer.Option(
            "--text-col",
            help="text column; with '+' the first is the subject (留言主题+留言详情)",
        ),
    ],
    time_col: Annotated[
        str, typer.Option("--time-col", help="time column (2019/2/28 11:25:05, 2019-08-01 09:05)")
    ],
    votes_col: Annotated[
        str | None,
        typer.Option("--votes-col", help="up-votes column, or UP-DOWN (点赞数-反对数)"),
    ] = None,
    id_col: Annotated[str | None, typer.Option("--id-col", help="message id column")] = None,
    sender_col: Annotated[
        str | None, typer.Option("--sender-col", help="citizen column (repeat callers)")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="how many issues to print")] = 10,
    since: Annotated[
        str | None, typer.Option("--since", help="only messages from this time on (2019-11-01)")
    ] = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="end of the recent window (default: the latest message)"),
    ] = None,
) -> None:
    """Group the messages by issue and print the top issues by heat index."""
    try:
        start = parse_time(since) if since else None
        clock = parse_time(now) if now else None
        with console.status(f"reading {data.name}"):
            messages = [
                m
                for m in read_messages(data, text_col, time_col, votes_col, id_col, sender_col)
                if start is None or m.posted_at >= start
            ]
    except ValueError as exc:
        err_console.print(f"[red]error[/red]: {escape(str(exc))}")
        raise typer.Exit(1) from exc
    if not messages:
        err_console.print("[red]error[/red]: no messages to analyse")
        raise typer.Exit(1)
    with console.status(f"grouping {len(messages)} messages"):
        report = find_hotspots(messages, HotspotSettings(), now=clock, top=top)
    _print(report, data)
