"""A data frame turned into readings: metric keys from the pollutant map, the value the CN calls
for, Beijing time to UTC, and data flags other than N kept apart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cityops.sensing.hj212.public import (
    DATA_COMMANDS,
    POLLUTANTS,
    DataFlag,
    DataKind,
    FlaggedValue,
    FrameRefused,
    RefusalReason,
    encode_frame,
    metric_for,
    parse_frame,
    to_upload,
)
from cityops.sensing.model import Reading

MN = "010000A8900016F000169DC0"


def _frame(cn: str, cp: str) -> bytes:
    return encode_frame(f"QN=20160801085857223;ST=22;CN={cn};PW=123456;MN={MN};Flag=5;CP=&&{cp}&&")


def test_a_realtime_upload_gives_readings_at_datatime_in_utc() -> None:
    cp = (
        "DataTime=20160801085857;a34004-Rtd=35.2,a34004-Flag=N;a34002-Rtd=60,a34002-Flag=N;"
        "w01001-Rtd=7.1"
    )
    upload = to_upload(parse_frame(_frame("2011", cp)))
    ts = datetime(2016, 8, 1, 0, 58, 57, tzinfo=UTC)  # 08:58:57 in Beijing
    assert upload.readings == (
        Reading(MN, "pm25", ts, 35.2),
        Reading(MN, "pm10", ts, 60.0),
        Reading(MN, "ph", ts, 7.1),
    )
    assert (upload.mn, upload.pw, upload.qn, upload.kind) == (
        MN,
        "123456",
        "20160801085857223",
        DataKind.realtime,
    )


@pytest.mark.parametrize(("cn", "kind"), [("2051", "minute"), ("2061", "hour"), ("2031", "day")])
def test_minute_hour_and_day_data_take_the_average(cn: str, kind: str) -> None:
    cp = "DataTime=20160801080000;w21003-Min=0.1,w21003-Avg=0.4,w21003-Max=0.9,w21003-Flag=N"
    upload = to_upload(parse_frame(_frame(cn, cp)))
    assert upload.kind == kind
    assert [(r.metric, r.value) for r in upload.readings] == [("nh3n", 0.4)]


def test_values_flagged_other_than_n_are_kept_apart_and_unknown_codes_listed() -> None:
    cp = (
        "DataTime=20160801085857;a34004-Rtd=35.2,a34004-Flag=M;a21026-Rtd=8,a21026-Flag=D;"
        "a05024-Rtd=80,a05024-Flag=N;xx9999-Rtd=1,xx9999-Flag=N;yy0001-Rtd=2,yy0001-Flag=C;"
        "a21005-Avg=1.1"
    )
    upload = to_upload(parse_frame(_frame("2011", cp)))
    assert [(r.metric, r.value) for r in upload.readings] == [("o3", 80.0)]
    assert upload.flagged == (
        FlaggedValue("a34004", "pm25", "M", 35.2),
        FlaggedValue("a21026", "so2", "D", 8.0),
        FlaggedValue("yy0001", None, "C", 2.0),
    )
    assert upload.unmapped == ("xx9999",)  # a21005 had no Rtd: no reading, nothing to report


def test_a_data_upload_without_datatime_is_refused() -> None:
    with pytest.raises(FrameRefused) as refused:
        to_upload(parse_frame(_frame("2011", "a34004-Rtd=1")))
    assert refused.value.reason is RefusalReason.missing_field


def test_a_command_that_is_not_data_is_not_an_upload() -> None:
    with pytest.raises(FrameRefused) as refused:
        to_upload(parse_frame(_frame("1062", "RtdInterval=30")))
    assert refused.value.reason is RefusalReason.bad_field


def test_the_maps_cover_the_air_and_water_codes_and_the_data_commands() -> None:
    expected = {
        "a34002": "pm10",
        "a34004": "pm25",
        "a21026": "so2",
        "a21004": "no2",
        "a21005": "co",
        "a05024": "o3",
        "a01001": "temperature",
        "a01002": "humidity",
        "a01006": "pressure",
        "a01007": "wind_speed",
        "a01008": "wind_direction",
        "w01001": "ph",
        "w01009": "do",
        "w01014": "conductivity",
        "w01003": "turbidity",
        "w21003": "nh3n",
        "w01018": "cod",
    }
    assert {code: metric_for(code) for code in expected} == expected
    assert len({p.metric for p in POLLUTANTS.values()}) == len(POLLUTANTS)  # no key twice
    assert set(DATA_COMMANDS) == {"2011", "2051", "2061", "2031"}
    assert [f.value for f in DataFlag] == ["N", "F", "M", "S", "D", "C", "T", "B"]


def test_a_subpacket_is_an_upload_of_its_own_with_its_packet_numbers() -> None:
    segment = (
        f"QN=20160801085857223;ST=22;CN=2011;PW=123456;MN={MN};Flag=7;PNUM=2;PNO=1;"
        "CP=&&DataTime=20160801085857;a34004-Rtd=35.2,a34004-Flag=N&&"
    )
    upload = to_upload(parse_frame(encode_frame(segment)))
    assert (upload.pnum, upload.pno) == (2, 1)
    assert [r.metric for r in upload.readings] == ["pm25"]
