"""TPI: segment states at the DB11/T 785-2011 speed edges, VKT weighting, the conversion and
the five bands at their edges."""

from __future__ import annotations

import pytest

from cityops.insight.vitals.traffic_index import (
    DEFAULT_CONVERSION,
    RoadClass,
    SegmentFlow,
    TpiConversion,
    TrafficState,
    congested_share,
    network_tpi,
    segment_state,
    tpi_band,
)

S = TrafficState


@pytest.mark.parametrize(
    ("road", "speed", "state"),
    [
        (RoadClass.expressway, 65.1, S.smooth),
        (RoadClass.expressway, 65, S.basically_smooth),
        (RoadClass.expressway, 50.1, S.basically_smooth),
        (RoadClass.expressway, 50, S.lightly_congested),
        (RoadClass.expressway, 35, S.moderately_congested),
        (RoadClass.expressway, 20.1, S.moderately_congested),
        (RoadClass.expressway, 20, S.severely_congested),
        (RoadClass.expressway, 0, S.severely_congested),
        (RoadClass.arterial, 40.1, S.smooth),
        (RoadClass.arterial, 40, S.basically_smooth),
        (RoadClass.arterial, 30, S.lightly_congested),
        (RoadClass.arterial, 20, S.moderately_congested),
        (RoadClass.arterial, 15, S.severely_congested),
        (RoadClass.secondary, 35.1, S.smooth),
        (RoadClass.secondary, 35, S.basically_smooth),
        (RoadClass.secondary, 25, S.lightly_congested),
        (RoadClass.secondary, 15, S.moderately_congested),
        (RoadClass.secondary, 10, S.severely_congested),
        (RoadClass.branch, 10.1, S.moderately_congested),
        (RoadClass.branch, 10, S.severely_congested),
    ],
)
def test_segment_state_at_the_speed_edges(road: RoadClass, speed: float, state: S) -> None:
    assert segment_state(road, speed) is state


@pytest.mark.parametrize(
    ("tpi", "band"),
    [
        (0, S.smooth),
        (1.99, S.smooth),
        (2, S.basically_smooth),
        (3.99, S.basically_smooth),
        (4, S.lightly_congested),
        (5.99, S.lightly_congested),
        (6, S.moderately_congested),
        (7.99, S.moderately_congested),
        (8, S.severely_congested),
        (10, S.severely_congested),
    ],
)
def test_bands_at_their_edges(tpi: float, band: S) -> None:
    assert tpi_band(tpi) is band


@pytest.mark.parametrize("bad", [-0.1, 10.01, float("nan")])
def test_band_refuses_values_outside_0_to_10(bad: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 10"):
        tpi_band(bad)


def test_band_names() -> None:
    assert [s.name_zh for s in S] == ["畅通", "基本畅通", "轻度拥堵", "中度拥堵", "严重拥堵"]


def test_congested_share_is_weighted_by_vkt() -> None:
    segments = [
        SegmentFlow(RoadClass.expressway, 2.0, 3000, 15),  # severe: VKT 6000
        SegmentFlow(RoadClass.arterial, 1.0, 1000, 18),  # moderate: VKT 1000
        SegmentFlow(RoadClass.arterial, 3.0, 1000, 25),  # light (not congested): VKT 3000
        SegmentFlow(RoadClass.secondary, 5.0, 2000, 40),  # smooth: VKT 10000
        SegmentFlow(RoadClass.branch, 4.0, 0, 5),  # no traffic: no weight
    ]
    assert congested_share(segments) == pytest.approx(7000 / 20000)
    only_severe = frozenset({S.severely_congested})
    assert congested_share(segments, congested=only_severe) == pytest.approx(6000 / 20000)


def test_no_traffic_gives_no_index() -> None:
    index = network_tpi([SegmentFlow(RoadClass.arterial, 1.0, 0, 30)])
    assert (index.tpi, index.band, index.segments) == (None, None, 1)
    assert network_tpi([]).tpi is None


@pytest.mark.parametrize(
    ("share", "tpi"),
    [(0.0, 0.0), (0.02, 1.0), (0.04, 2.0), (0.06, 3.0), (0.095, 5.0), (0.14, 8.0), (0.19, 9.0)],
)
def test_default_conversion_is_piecewise_linear(share: float, tpi: float) -> None:
    assert DEFAULT_CONVERSION.tpi(share) == pytest.approx(tpi)


def test_conversion_stays_at_10_beyond_its_last_point() -> None:
    assert DEFAULT_CONVERSION.tpi(0.24) == 10
    assert DEFAULT_CONVERSION.tpi(0.9) == 10
    with pytest.raises(ValueError, match="between 0 and 1"):
        DEFAULT_CONVERSION.tpi(1.2)


@pytest.mark.parametrize(
    "points",
    [
        ((0.0, 0.0),),
        ((0.1, 0.0), (0.5, 10.0)),
        ((0.0, 0.0), (0.5, 9.0)),
        ((0.0, 0.0), (0.2, 5.0), (0.1, 10.0)),
        ((0.0, 0.0), (0.2, 5.0), (0.3, 5.0), (0.4, 10.0)),
    ],
)
def test_a_conversion_must_run_from_0_to_10_increasing(
    points: tuple[tuple[float, float], ...],
) -> None:
    with pytest.raises(ValueError, match="a TPI conversion"):
        TpiConversion(points)


def test_network_tpi_from_flow_sensors() -> None:
    # 1000 of 20000 VKT severely congested: share 5 % → 2 + 2 × (0.05-0.04)/0.04 = 2.5
    segments = [
        SegmentFlow(RoadClass.expressway, 1.0, 1000, 18),
        SegmentFlow(RoadClass.expressway, 19.0, 1000, 70),
    ]
    index = network_tpi(segments)
    assert index.congested_share == pytest.approx(0.05)
    assert (index.tpi, index.band, index.segments) == (2.5, S.basically_smooth, 2)


def test_the_band_is_that_of_the_rounded_index() -> None:
    # share 0.0799 → 3.995 → printed 4.0 → 轻度拥堵, never "3.995 基本畅通" beside "4.0"
    segments = [
        SegmentFlow(RoadClass.arterial, 1.0, 799, 10),
        SegmentFlow(RoadClass.arterial, 1.0, 9201, 50),
    ]
    index = network_tpi(segments)
    assert index.tpi == 4.0
    assert index.band is S.lightly_congested


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="not a speed"):
        segment_state(RoadClass.arterial, -1)
    with pytest.raises(ValueError, match="negative"):
        congested_share([SegmentFlow(RoadClass.arterial, -1.0, 100, 30)])
