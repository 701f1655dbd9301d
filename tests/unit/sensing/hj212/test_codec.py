"""HJ 212-2017 frames read: published example frames with their CRCs, every refusal, and random
bytes that never raise anything but `FrameRefused`."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from cityops.sensing.hj212.public import (
    MAX_DATA_LENGTH,
    FrameRefused,
    RefusalReason,
    crc16,
    encode_frame,
    parse_frame,
)

# The standard's own example (HJ 212-2017, 附录 A), with the CRC it gives.
STANDARD_EXAMPLE = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&1C80\r\n"
)
# Frames published by open-source HJ 212 receivers, as captured from stations, with their CRCs.
AIR_REALTIME = (
    b"##0317QN=20191018104952418;ST=22;CN=2011;PW=123456;MN=ZX00001;Flag=5;CP=&&"
    b"DataTime=20191018104900;a34002-Rtd=30,a34002-Flag=N;a34004-Rtd=25,a34004-Flag=N;"
    b"a01001-Rtd=13.5,a01001-Flag=N;a01002-Rtd=43.8,a01002-Flag=N;a01008-Rtd=30,a01008-Flag=N;"
    b"a01007-Rtd=3.5,a01007-Flag=N;a34001-Rtd=132,a34001-Flag=N;LA-Rtd=66.8,LA-Flag=N&&AF01\r\n"
)
AIR_REALTIME_FLAG7 = (
    b"##0367QN=20200814151600001;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=7;"
    b"CP=&&DataTime=20200814151600;LA-td=50.1,LA-Flag=N;a34004-Rtd=207,a34004-Flag=N;"
    b"a34002-Rtd=295,a34002-Flag=N;a01001-Rtd=12.6,a01001-Flag=N;a01002-Rtd=32,a01002-Flag=N;"
    b"a01006-Rtd=101.02,a01006-Flag=N;a01007-Rtd=2.1,a01007-Flag=N;a01008-Rtd=120,"
    b"a01008-Flag=N;a34001-Rtd=217,a34001-Flag=N;&&5CC0\r\n"
)
EMPTY_CP = (
    b"##0081QN=20181111151745000;ST=21;CN=2011;PW=123456;MN=YSRDWQGQ1000001001;Flag=5;"
    b"CP=&&&&7580\r\n"
)
DATA_ANSWER_WITH_PNO = (
    b"##0095QN=20220418131202000;ST=91;CN=9014;PW=123456;MN=YSRDWQGQ1000001001;Flag=4;"
    b"CP=&&QnRtn=1;PNO=11&&9841\r\n"
)
PUBLISHED = [STANDARD_EXAMPLE, AIR_REALTIME, AIR_REALTIME_FLAG7, EMPTY_CP, DATA_ANSWER_WITH_PNO]


@pytest.mark.parametrize("frame", PUBLISHED)
def test_published_frames_pass_their_crc_and_length(frame: bytes) -> None:
    data = frame[6:-6]
    assert int(frame[2:6]) == len(data)
    assert f"{crc16(data):04X}".encode() == frame[-6:-2]
    assert parse_frame(frame).data_segment == data.decode()


def test_the_standard_example_reads_field_by_field() -> None:
    frame = parse_frame(STANDARD_EXAMPLE)
    assert (frame.qn, frame.st, frame.cn, frame.pw) == ("20160801085857223", "32", "1062", "100000")
    assert frame.mn == "010000A8900016F000169DC0"
    assert frame.flag == 5
    assert frame.answer_required
    assert frame.version == 1
    assert frame.fields == {"RtdInterval": "30"}
    assert frame.data_time is None
    assert frame.pollutants == ()


def test_a_realtime_frame_gives_each_pollutant_its_values_and_flag() -> None:
    frame = parse_frame(AIR_REALTIME)
    # 10:49 Beijing time is 02:49 UTC
    assert frame.data_time == datetime(2019, 10, 18, 2, 49, tzinfo=UTC)
    by_code = {item.code: item for item in frame.pollutants}
    assert by_code["a34004"].values == {"Rtd": 25.0}
    assert by_code["a01002"].values == {"Rtd": 43.8}
    assert by_code["LA"].flag == "N"
    assert len(by_code) == 8


def test_minute_items_keep_min_avg_max_cou_and_unknown_suffixes_as_text() -> None:
    segment = (
        "QN=20240101000000000;ST=21;CN=2051;PW=1;MN=W1;Flag=4;CP=&&DataTime=20240101000000;"
        "w01018-Min=10,w01018-Avg=12.5,w01018-Max=15,w01018-Cou=0.3,w01018-Flag=N,"
        "w01018-SampleTime=20240101000000&&"
    )
    (item,) = parse_frame(encode_frame(segment)).pollutants
    assert item.values == {"Min": 10.0, "Avg": 12.5, "Max": 15.0, "Cou": 0.3}
    assert item.text == {"SampleTime": "20240101000000"}
    assert item.flag == "N"


def test_flag_7_without_pnum_is_a_whole_message_and_pnum_pno_make_a_subpacket() -> None:
    assert not parse_frame(AIR_REALTIME_FLAG7).is_subpacket
    segment = "QN=20240101000000000;ST=22;CN=2011;PW=1;MN=A1;Flag=7;PNUM=3;PNO=2;CP=&&&&"
    frame = parse_frame(encode_frame(segment))
    assert frame.is_subpacket
    assert (frame.pnum, frame.pno) == (3, 2)


def test_a_lower_case_crc_is_read() -> None:
    assert parse_frame(STANDARD_EXAMPLE.replace(b"1C80", b"1c80")).cn == "1062"


def _framed(segment: str, *, length: int | None = None, crc: str | None = None) -> bytes:
    data = segment.encode()
    declared = len(data) if length is None else length
    check = f"{crc16(data):04X}" if crc is None else crc
    return b"##%04d" % declared + data + check.encode() + b"\r\n"


OK = "QN=20240101000000000;ST=22;CN=2011;PW=123456;MN=A1;Flag=5;CP=&&DataTime=20240101000000&&"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", RefusalReason.bad_header),
        (STANDARD_EXAMPLE[:-2], RefusalReason.bad_header),  # no CRLF
        (b"$$" + STANDARD_EXAMPLE[2:], RefusalReason.bad_header),
        (b"##01a1" + STANDARD_EXAMPLE[6:], RefusalReason.bad_header),
        (b"##01\r\n", RefusalReason.bad_header),
        (_framed(OK, length=len(OK) + 1), RefusalReason.length_mismatch),
        (_framed(OK, length=len(OK) - 1), RefusalReason.length_mismatch),
        (STANDARD_EXAMPLE.replace(b"1C80", b"1C81"), RefusalReason.crc_mismatch),
        (STANDARD_EXAMPLE.replace(b"ST=32", b"ST=33"), RefusalReason.crc_mismatch),
        (STANDARD_EXAMPLE.replace(b"1C80", b"1CXZ"), RefusalReason.crc_mismatch),
        (_framed("x" * (MAX_DATA_LENGTH + 1)), RefusalReason.oversized),
        (_framed(OK, length=9999), RefusalReason.oversized),
        (_framed(OK).replace(b"A1", b"\xc3\xa9"), RefusalReason.bad_encoding),
        (_framed(OK.replace("ST=22;", "")), RefusalReason.missing_field),
        (_framed(OK.replace("CN=2011;", "")), RefusalReason.missing_field),
        (_framed(OK.replace("PW=123456;", "")), RefusalReason.missing_field),
        (_framed(OK.replace("MN=A1;", "")), RefusalReason.missing_field),
        (_framed(OK.replace("CP=&&", "CP=")), RefusalReason.missing_field),
        (_framed(OK.replace("Flag=5", "Flag=5;PNUM=2")), RefusalReason.missing_field),
        (_framed(OK[:-2]), RefusalReason.bad_field),  # CP not closed
        (_framed(OK.replace("QN=20240101000000000", "QN=2024")), RefusalReason.bad_field),
        (_framed(OK.replace("ST=22", "ST=x")), RefusalReason.bad_field),
        (_framed(OK.replace("Flag=5", "Flag=five")), RefusalReason.bad_field),
        (_framed(OK.replace("Flag=5", "Flag=5;PNUM=2;PNO=3")), RefusalReason.bad_field),
        (_framed(OK.replace("MN=A1", "MN=" + "A" * 25)), RefusalReason.bad_field),
        (_framed(OK.replace("PW=123456", "PW=")), RefusalReason.bad_field),
        (_framed(OK.replace("ST=22;", "ST=22;ST=22;")), RefusalReason.bad_field),
        (_framed(OK.replace("ST=22;", "ST22;")), RefusalReason.bad_field),
        (_framed(OK.replace(";CP=", "CP=")), RefusalReason.bad_field),
        (_framed(OK.replace("20240101000000&&", "20241301000000&&")), RefusalReason.bad_field),
        (_framed(OK.replace("20240101000000&&", "2024&&")), RefusalReason.bad_field),
        (_framed(OK.replace("20240101000000&&", "00010101000000&&")), RefusalReason.bad_field),
        (_framed(OK.replace("&&D", "&&x;D")), RefusalReason.bad_field),
        (_framed(OK[:-2] + ";a34004-Rtd=1,a34004-Rtd=2&&"), RefusalReason.bad_field),
        (_framed(OK[:-2] + ";a34004-Flag=N,a34004-Flag=N&&"), RefusalReason.bad_field),
        (_framed(OK[:-2] + ";DataTime=20240101000000&&"), RefusalReason.bad_field),
        (_framed(OK[:-2] + ";a34-004-=1&&"), RefusalReason.bad_field),
        (_framed(OK[:-2] + ";-Rtd=1&&"), RefusalReason.bad_field),
    ]
    + [
        (_framed(OK[:-2] + f";a34004-Rtd={bad}&&"), RefusalReason.bad_number)
        for bad in ("", "abc", "nan", "inf", "-Infinity", "1_000", " 1", "1e999", "0x10", "1e")
    ],
)
def test_each_refusal_has_its_reason(raw: bytes, reason: RefusalReason) -> None:
    with pytest.raises(FrameRefused) as refused:
        parse_frame(raw)
    assert refused.value.reason is reason


def test_a_crc_refusal_keeps_the_header_for_the_answer() -> None:
    with pytest.raises(FrameRefused) as refused:
        parse_frame(STANDARD_EXAMPLE.replace(b"1C80", b"0000"))
    assert refused.value.qn == "20160801085857223"
    assert (refused.value.pw, refused.value.mn, refused.value.flag) == (
        "100000",
        "010000A8900016F000169DC0",
        5,
    )


def _mutations(rng: random.Random, seed_frame: bytes) -> bytes:
    frame = bytearray(seed_frame)
    for _ in range(rng.randint(1, 6)):
        action = rng.randrange(4)
        at = rng.randrange(len(frame) + 1)
        if action == 0 and frame:
            del frame[min(at, len(frame) - 1)]
        elif action == 1:
            frame[at:at] = bytes([rng.randrange(256)])
        elif action == 2 and frame:
            frame[min(at, len(frame) - 1)] = rng.choice(b"#;,=&-.0123456789ANR\r\n")
        else:
            frame[at:at] = rng.choice([b"&&", b";", b",", b"=", b"-Rtd=", b"CP=&&", b"##"])
    return bytes(frame)


def _refit(raw: bytes) -> bytes:
    """Give a mutated frame its right length and CRC, so mutations reach the data segment."""
    if not raw.startswith(b"##") or not raw.endswith(b"\r\n") or len(raw) < 12:
        return raw
    data = raw[6:-6]
    return b"##%04d" % min(len(data), 9999) + data + b"%04X\r\n" % crc16(data)


def test_random_bytes_and_mutated_frames_raise_only_the_typed_error() -> None:
    rng = random.Random(212)
    seeds = [*PUBLISHED, _framed(OK)]
    outcomes = {"parsed": 0, "refused": 0}
    reasons: set[RefusalReason] = set()
    for round_ in range(20_000):
        if round_ % 4 == 0:
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
            raw = b"##" + raw + b"\r\n" if round_ % 8 == 0 else raw
        else:
            raw = _mutations(rng, rng.choice(seeds))
            raw = _refit(raw) if round_ % 2 else raw
        try:
            parse_frame(raw)
        except FrameRefused as refused:
            reasons.add(refused.reason)
            outcomes["refused"] += 1
        else:
            outcomes["parsed"] += 1
    # both outcomes were exercised: the mutations reach past the CRC into the fields
    assert outcomes["parsed"] > 100
    assert outcomes["refused"] > 10_000
    assert reasons <= set(RefusalReason)
    assert len(reasons) >= 6  # the refusals were of many kinds, not one early exit


PURE_MODULES = ["codec", "encode", "pollutants", "upload"]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_the_codec_side_imports_only_the_standard_library_and_sensing(module: str) -> None:
    import ast
    import sys
    from pathlib import Path

    import cityops.sensing.hj212 as package

    source = Path(package.__file__).with_name(f"{module}.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    outside = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names
        and not name.startswith("cityops.sensing.")
    }
    assert imported
    assert outside == set()
