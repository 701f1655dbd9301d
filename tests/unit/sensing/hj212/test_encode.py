"""HJ 212-2017 frames written: round trips through the parser, and the prescribed answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from cityops.sensing.hj212.public import (
    PollutantItem,
    QnRtn,
    crc16,
    data_answer,
    data_cp,
    data_segment,
    encode_frame,
    notification_answer,
    parse_frame,
    request_answer,
)

QN = "20160801085857223"
MN = "010000A8900016F000169DC0"


def test_a_frame_is_length_segment_crc_crlf() -> None:
    segment = f"QN={QN};ST=32;CN=1062;PW=100000;MN={MN};Flag=5;CP=&&RtdInterval=30&&"
    assert encode_frame(segment) == b"##0101" + segment.encode() + b"1C80\r\n"


def test_an_oversized_segment_is_not_written() -> None:
    with pytest.raises(ValueError, match="exceeds 1024"):
        encode_frame("x" * 1025)


def test_the_data_answer_echoes_qn_pw_mn_with_cn_9014() -> None:
    answer = data_answer(QN, "123456", MN, flag=5)
    segment = f"QN={QN};ST=91;CN=9014;PW=123456;MN={MN};Flag=4;CP=&&&&"
    assert answer == encode_frame(segment)
    frame = parse_frame(answer)
    assert (frame.qn, frame.cn, frame.st, frame.flag) == (QN, "9014", "91", 4)
    assert not frame.answer_required  # an answer is never answered


def test_the_request_answer_carries_qnrtn() -> None:
    frame = parse_frame(request_answer(QN, "123456", MN, 5, QnRtn.bad_password))
    assert (frame.cn, frame.fields) == ("9011", {"QnRtn": "3"})


def test_the_notification_answer_is_cn_9013() -> None:
    assert parse_frame(notification_answer(QN, "1", MN, 5)).cn == "9013"


@pytest.mark.parametrize(("request_flag", "answer_flag"), [(5, 4), (7, 4), (1, 0), (0, 0)])
def test_an_answer_keeps_the_version_and_asks_nothing(request_flag: int, answer_flag: int) -> None:
    assert parse_frame(data_answer(QN, "1", MN, request_flag)).flag == answer_flag


def test_random_uploads_round_trip() -> None:
    rng = random.Random(2017)
    codes = ["a34004", "a34002", "a21026", "w01001", "w21003", "LA", "a01008"]
    for _ in range(500):
        instant = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**8))
        items = [
            PollutantItem(
                code=code,
                values={"Rtd": round(rng.uniform(-50, 5000), rng.randrange(4))},
                flag=rng.choice(["N", "F", "M", "S", "D", "C", "T", "B"]),
            )
            for code in rng.sample(codes, rng.randrange(len(codes)))
        ]
        pnum = rng.choice([None, 3])
        segment = data_segment(
            qn=QN,
            st="22",
            cn="2011",
            pw="123456",
            mn=MN,
            flag=5,
            cp=data_cp(instant, items),
            pnum=pnum,
            pno=2 if pnum else None,
        )
        raw = encode_frame(segment)
        assert raw[-6:-2] == b"%04X" % crc16(raw[6:-6])
        frame = parse_frame(raw)
        assert frame.data_time == instant
        assert frame.pollutants == tuple(items)
        assert frame.pnum == pnum


def test_a_value_that_is_not_finite_is_not_written() -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        data_cp(datetime(2024, 1, 1, tzinfo=UTC), [PollutantItem("a34004", {"Rtd": float("nan")})])
