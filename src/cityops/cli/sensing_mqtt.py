"""CLI: MQTT telemetry ingestion (`ingest-mqtt`) and the broker's device credentials."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.markup import escape

from cityops.app import build_platform
from cityops.cli.context import console, err_console, platform_from_env, settings_from_env
from cityops.kernel.actor import SYSTEM
from cityops.sensing.mqtt.public import (
    MqttIngestWorker,
    WorkerConfig,
    acl_file,
    device_password,
    parse_broker_url,
    password_file,
)
from cityops.sensing.public import DeviceStatus


def register(group: typer.Typer) -> None:
    """Add the MQTT commands to the `cityops sensing` group."""
    group.command("ingest-mqtt")(ingest_mqtt)
    group.command("mqtt-passwords")(mqtt_passwords)


log = logging.getLogger("cityops.sensing.mqtt")

RESTART_PAUSE = 1.0  # seconds before a worker process that died is started again


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def run_worker(client_id: str, receive_maximum: int, migrate: bool = False) -> None:
    """One ingest worker process: its own platform and writer, no relay or scheduler (the
    server holding the background lease runs those), until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(message)s")
    stop = threading.Event()
    _stop_on_signals(stop)
    settings = settings_from_env()
    platform = build_platform(settings, migrate=migrate)
    config = WorkerConfig(
        broker=parse_broker_url(settings.mqtt_url),
        client_id=client_id,
        group=settings.mqtt_share_group,
        prefix=settings.mqtt_topic_prefix,
        receive_maximum=receive_maximum,
    )
    worker = MqttIngestWorker(platform.sensing.ingestion, config, platform.clock.now)
    # what is alive now (modules, the platform) is left out of the collector's full scans,
    # as the server does (Platform.warm_up): they had paused ingestion 0.1–0.3 s every ~10 s
    gc.collect()
    gc.freeze()
    worker.start()
    try:
        while not stop.wait(60):
            _log_counters(worker, client_id, "running")
    finally:
        worker.stop()
        platform.close()
        _log_counters(worker, client_id, "stopped")


def _log_counters(worker: MqttIngestWorker, client_id: str, state: str) -> None:
    c = worker.counters
    log.info(
        "mqtt ingest %s %s: received %d, acknowledged %d, bad topics %d, failed %d",
        client_id,
        state,
        c.received,
        c.acked,
        c.bad_topic,
        c.failed,
    )


def ingest_mqtt(
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    client_id: Annotated[
        str | None,
        typer.Option(help="base of the MQTT client ids (default cityops-ingest-HOSTNAME)"),
    ] = None,
    receive_maximum: Annotated[
        int, typer.Option(min=1, max=65535, help="unacknowledged messages per worker")
    ] = 10_000,
) -> None:
    """Ingest device telemetry from the MQTT broker (CITYOPS_MQTT_URL): WORKERS processes share
    the subscription $share/CITYOPS_MQTT_SHARE_GROUP/…/devices/+/telemetry at QoS 1 and
    acknowledge a message once it is committed. Each worker keeps its session under
    BASE-N, so a worker started again (here or by a supervisor) gets the messages it had not
    acknowledged. A worker process that dies is started again after a second."""
    settings = settings_from_env()
    try:
        parse_broker_url(settings.mqtt_url)
    except ValueError as exc:
        err_console.print(f"[red]error[/red] (settings): CITYOPS_MQTT_URL: {escape(str(exc))}")
        raise typer.Exit(1) from exc
    base = client_id or f"cityops-ingest-{socket.gethostname()}"
    if workers == 1:
        run_worker(f"{base}-0", receive_maximum, migrate=True)
        return
    build_platform(settings).close()  # migrate once, before the workers start
    _supervise([f"{base}-{i}" for i in range(workers)], receive_maximum)


def _supervise(client_ids: list[str], receive_maximum: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(message)s")
    stop = threading.Event()
    _stop_on_signals(stop)
    spawn = multiprocessing.get_context("spawn")
    children: dict[str, multiprocessing.process.BaseProcess] = {}

    def launch(cid: str) -> None:
        child = spawn.Process(target=run_worker, args=(cid, receive_maximum), name=cid)
        child.start()
        children[cid] = child
        log.info("mqtt ingest worker %s started (pid %s)", cid, child.pid)

    for cid in client_ids:
        launch(cid)
    while not stop.wait(RESTART_PAUSE):
        for cid, child in list(children.items()):
            if not child.is_alive():
                log.warning(
                    "mqtt ingest worker %s ended (exit %s), starting it again", cid, child.exitcode
                )
                launch(cid)
    for child in children.values():
        if child.pid is not None and child.is_alive():
            os.kill(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children.values():
        child.join(max(0.1, deadline - time.monotonic()))


def mqtt_passwords(
    out: Annotated[Path, typer.Option(help="the Mosquitto password file to write")],
    acl: Annotated[Path | None, typer.Option(help="also write a Mosquitto ACL file")] = None,
    show: Annotated[str | None, typer.Option(help="print this device's password")] = None,
) -> None:
    """Write a Mosquitto password file (mosquitto_passwd format) holding every device that is
    not retired (user: its code; password: derived from CITYOPS_SECRET_KEY, stable) and the
    ingest workers' user of CITYOPS_MQTT_URL; with --acl, an ACL file that lets each device
    publish only to its own telemetry topic."""
    with platform_from_env() as platform:
        settings = platform.settings
        broker = parse_broker_url(settings.mqtt_url)
        users: list[tuple[str, str]] = []
        offset = 0
        with platform.read() as session:
            while True:
                page, total = platform.sensing.list_devices(
                    session, SYSTEM, offset=offset, limit=500
                )
                users += [
                    (d.mqtt_username or d.code, device_password(settings.secret_key, d.code))
                    for d in page
                    if d.status != DeviceStatus.retired
                ]
                offset += len(page)
                if not page or offset >= total:
                    break
        if broker.username and broker.password:
            users.append((broker.username, broker.password))
        out.write_text(password_file(users), encoding="utf-8")
        out.chmod(0o600)
        console.print(f"{len(users)} users written to {out}")
        if acl is not None:
            acl.write_text(acl_file(broker.username, settings.mqtt_topic_prefix), encoding="utf-8")
            console.print(f"ACL written to {acl}")
        if show is not None:
            console.print(f"{show}: {device_password(settings.secret_key, show)}")
