"""What other code may use of the HJ 212 sub-package: the server, its limits, the upload and
answer records, the codec's entry points (for tests and the simulator) and the code maps."""

from __future__ import annotations

from cityops.sensing.hj212.codec import (
    MAX_DATA_LENGTH,
    Frame,
    FrameRefused,
    PollutantItem,
    QnRtn,
    RefusalReason,
    crc16,
    parse_frame,
)
from cityops.sensing.hj212.encode import (
    data_answer,
    data_cp,
    data_segment,
    encode_frame,
    notification_answer,
    request_answer,
)
from cityops.sensing.hj212.pollutants import (
    DATA_COMMANDS,
    POLLUTANTS,
    DataFlag,
    DataKind,
    Pollutant,
    metric_for,
)
from cityops.sensing.hj212.server import Hj212Server, OnRefused, ServerLimits, Sink
from cityops.sensing.hj212.upload import FlaggedValue, Hj212Upload, SinkAnswer, to_upload

__all__ = [
    "DATA_COMMANDS",
    "MAX_DATA_LENGTH",
    "POLLUTANTS",
    "DataFlag",
    "DataKind",
    "FlaggedValue",
    "Frame",
    "FrameRefused",
    "Hj212Server",
    "Hj212Upload",
    "OnRefused",
    "Pollutant",
    "PollutantItem",
    "QnRtn",
    "RefusalReason",
    "ServerLimits",
    "Sink",
    "SinkAnswer",
    "crc16",
    "data_answer",
    "data_cp",
    "data_segment",
    "encode_frame",
    "metric_for",
    "notification_answer",
    "parse_frame",
    "request_answer",
    "to_upload",
]
