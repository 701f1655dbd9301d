"""Live event stream under many clients: N browsers' tabs on GET /api/v1/events of one server.

    .venv/bin/python -m bench.event_stream [--clients 1000] [--procs 4] [--rates 2,10]
        [--seconds 20] [--dbs sqlite,postgresql] [--workers 1]

A fresh database; the real server (`uvicorn cityops.web.server:app`, background work on) on a
free port; `--procs` client processes hold `--clients` SSE connections between them (raw
asyncio sockets, a dispatcher's bearer token, `?topics=case.supervised`); once every client has
its stream open, this process commits one case event a tick at the run's rate for `--seconds`
(one run per database and rate) through `platform.uow()`, as a use case does, and notes the
time each commit returned. Each client notes when each event's frame arrived. Latency =
receive time − commit time (one machine, one clock), over every (client, event) pair; an event
a client never got counts as missing. Writes bench/results/event_stream.json (or --out)."""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._server import RESULTS, free_port, fresh_database, machine, start_server

FRAME = re.compile(rb'"case_number":"B(\d+)"')


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def _client(port: int, token: str, seen: list[tuple[int, float]], ready: Any) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            "GET /api/v1/events?topics=case.supervised&max_seconds=300 HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        return head.split(b"\r\n", 1)[0].decode()
    with ready.get_lock():
        ready.value += 1
    rest = b""
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                return "closed"
            now = time.time()
            data = rest + data
            cut = data.rfind(b"\n")  # a frame's line may end in the next read
            rest = data[cut + 1 :]
            lines = data[: cut + 1]
            seen.extend((int(m.group(1)), now) for m in FRAME.finditer(lines))
            if b"event: reconnect" in lines:
                return "cut"
    except asyncio.CancelledError:
        return "open"
    finally:
        writer.close()


def _client_process(
    port: int, token: str, n: int, ready: Any, stop: Any, out: Any, index: int
) -> None:
    async def main() -> None:
        seen: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        tasks = []
        for i in range(n):
            tasks.append(asyncio.create_task(_client(port, token, seen[i], ready)))
            if i % 50 == 49:
                await asyncio.sleep(0.05)  # do not open all at once
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        ends = await asyncio.gather(*tasks, return_exceptions=True)
        out.put((index, seen, [str(e) for e in ends]))

    asyncio.run(main())


def run(args: argparse.Namespace) -> dict[str, Any]:
    from cityops.app import build_platform
    from cityops.cases.events import CaseSupervised
    from cityops.infra.settings import Settings
    from cityops.kernel.actor import SYSTEM
    from cityops.org.public import NewUser

    load_before = machine()["load_average"]
    work = Path(tempfile.mkdtemp(prefix="bench-events-"))
    with fresh_database(args.db, work) as url:
        settings = Settings(env="demo", database_url=url, router_model_dir=work / "no-model")
        platform = build_platform(settings)
        with platform.uow() as uow:
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(
                    username="bench_disp",
                    password="bench password 123",
                    display_name="bench",
                    roles=["dispatcher"],
                ),
            )
        with platform.read() as s:
            token = platform.org.access_token_for_user(s, "bench_disp").access_token
        port = free_port()
        server = start_server(url, port, args.workers, work / "server.log")
        print(f"server pid {server.pid}", file=sys.stderr, flush=True)
        ctx = mp.get_context("spawn")
        ready = ctx.Value("i", 0)
        stop = ctx.Event()
        out = ctx.Queue()
        per = [
            args.clients // args.procs + (i < args.clients % args.procs) for i in range(args.procs)
        ]
        t_connect = time.monotonic()
        procs = [
            ctx.Process(target=_client_process, args=(port, token, n, ready, stop, out, i))
            for i, n in enumerate(per)
        ]
        try:
            for p in procs:
                p.start()
            deadline = time.monotonic() + 120
            while ready.value < args.clients and time.monotonic() < deadline:
                time.sleep(0.1)
            connected = ready.value
            connect_s = time.monotonic() - t_connect
            time.sleep(1.0)
            committed: dict[int, float] = {}
            total = int(args.rate * args.seconds)
            start = time.monotonic()
            for i in range(total):
                due = start + i / args.rate
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                with platform.uow() as uow:
                    uow.emit(
                        CaseSupervised(
                            occurred_at=platform.clock.now(),
                            case_id=10_000_000 + i,
                            case_number=f"B{i}",
                            status="dispatched",
                        )
                    )
                committed[i] = time.time()
            publish_s = time.monotonic() - start
            time.sleep(args.drain)
            stop.set()
            results = [out.get(timeout=60) for _ in procs]
        finally:
            stop.set()
            for p in procs:
                p.join(timeout=30)
                if p.is_alive():
                    p.kill()
            server.terminate()
            try:
                server.wait(timeout=15)
            except Exception:
                server.kill()
            platform.close()
    latencies: list[float] = []
    ends: dict[str, int] = {}
    got = 0
    for _, seen, end in results:
        for client in seen:
            got += len({i for i, _ in client})
            latencies += [(t - committed[i]) * 1000 for i, t in client if i in committed]
        for e in end:
            ends[e] = ends.get(e, 0) + 1
    expected = connected * total
    return {
        "benchmark": "event_stream",
        "what": "commit of a case event → its SSE frame read by each connected client",
        "load_average_before": load_before,
        "db": args.db,
        "server_workers": args.workers,
        "clients": args.clients,
        "clients_connected": connected,
        "client_processes": args.procs,
        "connect_seconds": round(connect_s, 2),
        "events": total,
        "rate_per_s": args.rate,
        "publish_seconds": round(publish_s, 2),
        "deliveries_expected": expected,
        "deliveries": got,
        "missing": expected - got,
        "client_ends": ends,
        "latency_ms": {
            "p50": round(_percentile(latencies, 50), 1),
            "p90": round(_percentile(latencies, 90), 1),
            "p99": round(_percentile(latencies, 99), 1),
            "max": round(max(latencies), 1) if latencies else None,
            "mean": round(statistics.fmean(latencies), 1) if latencies else None,
        },
        "target": "p99 <= 500 ms with 1,000 clients",
        "machine": machine(),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--procs", type=int, default=4)
    p.add_argument("--rates", default="2,10", help="events a second, one run each")
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--drain", type=float, default=3.0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--dbs", default="sqlite,postgresql", help="sqlite and/or postgresql")
    p.add_argument("--out", type=Path, default=RESULTS / "event_stream.json")
    args = p.parse_args()
    runs = []
    for db in args.dbs.split(","):
        for rate in args.rates.split(","):
            one = argparse.Namespace(**vars(args), db=db, rate=float(rate))
            runs.append(run(one))
            print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
    result = {"benchmark": "event_stream", "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
