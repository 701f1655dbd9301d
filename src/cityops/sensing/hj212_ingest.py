"""HJ 212 uploads into the ingestion every channel shares.

A station is a device whose code is its MN. The frame's PW is checked against the device's
password (the one its MQTT client uses too; `SensingService.set_password`), kept as a salted
SHA-256 — HJ 212 sends it in clear with every frame, so a slow hash per frame would buy nothing.
Values are judged against the device type's metric specs like any payload; a value whose data
flag is not N (stopped, maintenance, calibration, fault…) is counted, not stored; a pollutant code
with no metric is a dead letter `unknown_metric`. The sink answers once the readings are
committed, so the station's data answer (CN=9014) means stored.
"""

from __future__ import annotations

import asyncio
import hmac
from collections import defaultdict
from concurrent.futures import Future

from cityops.sensing.devices import password_hash
from cityops.sensing.hj212.public import Hj212Upload, SinkAnswer
from cityops.sensing.ingest import Ingestion
from cityops.sensing.payloads import Problem, Reason, judge
from cityops.sensing.series import DeadLetter


class Hj212Sink:
    def __init__(self, ingestion: Ingestion) -> None:
        self._ingestion = ingestion

    async def __call__(self, upload: Hj212Upload) -> SinkAnswer:
        result = await asyncio.to_thread(self._take, upload)
        if isinstance(result, SinkAnswer):
            return result
        await asyncio.wrap_future(result)
        return SinkAnswer.accept()

    def _take(self, upload: Hj212Upload) -> SinkAnswer | Future[None]:
        ingestion = self._ingestion
        device = ingestion.directory.by_code(upload.mn)
        if device is None:  # the server hands the frame to on_refused, which keeps it
            return SinkAnswer.refuse(Reason.unknown_device)
        expected = ingestion.directory.password_of(upload.mn)
        given = password_hash(upload.mn, upload.pw)
        if expected is None or not hmac.compare_digest(expected, given):
            return SinkAnswer.refuse(Reason.bad_credentials)
        by_ts: dict[int, dict[str, float]] = defaultdict(dict)
        for reading in upload.readings:
            by_ts[int(reading.ts.timestamp() * 1000)][reading.metric] = reading.value
        messages = [{"ts": ts, "values": values} for ts, values in sorted(by_ts.items())]
        judged = judge(
            device.code,
            messages,
            ingestion.directory.specs(device.type_code),
            ingestion.now(),
        )
        problems = judged.problems + [
            Problem(Reason.unknown_metric, f"pollutant {code} has no metric")
            for code in upload.unmapped
        ]
        for flagged in upload.flagged:
            ingestion.count(f"hj212_flag_{flagged.flag}")
        result = ingestion.store(device, "hj212", judged.readings, problems, source=upload.cn)
        return result.committed

    async def on_refused(self, peer: str, raw: bytes, reason: str) -> None:
        """A frame the codec refused (bad CRC, length, header…: `bad_frame`) or the sink refused
        (`refused: <reason>`, an unknown MN or a wrong PW): kept as a dead letter."""
        ingestion = self._ingestion
        kind = reason.removeprefix("refused: ") if reason.startswith("refused: ") else None
        ingestion.count(kind or Reason.bad_frame)
        letter = DeadLetter(
            received_at=ingestion.now(),
            channel="hj212",
            reason=kind or Reason.bad_frame,
            detail=reason[:500],
            source=peer,
            payload=raw[:4096].decode("ascii", "replace"),
        )
        await asyncio.to_thread(ingestion.writer.submit, [], [], [letter])
