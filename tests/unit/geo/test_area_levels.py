"""The area level configuration: names per level (zh-CN, English), levels in use, what is
refused, and how UI strings get the configured names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cityops.geo.levels import AreaLevels, load_area_levels, parse_area_levels
from cityops.geo.model import AreaLevel, AreaRef, match_place
from cityops.kernel.errors import ValidationFailed

COUNTY = {
    "district": {"zh-CN": "县", "en": "County"},
    "street": {"zh-CN": "乡镇", "en": "Township", "suffixes": ["镇", "乡"]},
    "community": {"zh-CN": "行政村", "en": "Village", "suffixes": ["村"]},
}


def test_the_defaults_are_todays_names_with_every_level_in_use() -> None:
    levels = AreaLevels.default()
    assert [levels.name(lv) for lv in AreaLevel] == ["市", "区", "街道", "社区", "网格"]
    assert [levels.name(lv, "en") for lv in AreaLevel] == [
        "City",
        "District",
        "Street",
        "Community",
        "Grid",
    ]
    assert levels.in_use == tuple(AreaLevel)
    assert levels.label(AreaLevel.street) == "街道 (street)"
    assert parse_area_levels({}) == levels


def test_a_county_names_its_levels_and_keeps_the_others() -> None:
    levels = parse_area_levels(COUNTY)
    assert [levels.name(lv) for lv in AreaLevel] == ["市", "县", "乡镇", "行政村", "网格"]
    assert levels.name(AreaLevel.community, "en") == "Village"
    assert levels.name(AreaLevel.grid, "en") == "Grid"
    assert levels.ui_strings("zh-CN")["level.street"] == "乡镇"
    assert levels.ui_strings("en")["level.district"] == "County"


def test_a_bare_text_names_the_level_in_chinese_only() -> None:
    levels = parse_area_levels({"street": "片区"})
    assert (levels.name(AreaLevel.street), levels.name(AreaLevel.street, "en")) == (
        "片区",
        "Street",
    )
    # an address may leave out the built-in ending and the configured name
    assert set(levels.place_suffixes()) == {"街道", "片区", "社区"}


def test_a_level_can_be_switched_off() -> None:
    levels = parse_area_levels({"grid": {"in_use": False}})
    assert levels.in_use == (
        AreaLevel.city,
        AreaLevel.district,
        AreaLevel.street,
        AreaLevel.community,
    )
    assert not levels.uses(AreaLevel.grid)
    with pytest.raises(ValidationFailed) as err:
        levels.check_in_use(AreaLevel.grid)
    assert err.value.code == "level_not_in_use"
    assert "网格 (grid)" in err.value.message
    assert [d["in_use"] for d in levels.describe()] == [True, True, True, True, False]


def test_grids_are_cut_into_streets_when_the_community_level_is_off() -> None:
    assert AreaLevels.default().grid_parents == (AreaLevel.street, AreaLevel.community)
    no_community = parse_area_levels({"community": {"in_use": False}})
    assert no_community.grid_parents == (AreaLevel.street,)


def test_ui_strings_get_the_configured_names() -> None:
    levels = parse_area_levels(COUNTY)
    assert levels.fill("所在{level.street}/{level.community}", "zh-CN") == "所在乡镇/行政村"
    assert levels.fill("By {level.street:lower}", "en") == "By township"
    assert levels.fill("{place}（{level.grid}）", "zh-CN") == "{place}（网格）"
    assert levels.fill("{level.nothing}", "zh-CN") == "{level.nothing}"


def test_an_address_names_a_township_without_its_ending() -> None:
    levels = parse_area_levels(COUNTY)
    town = AreaRef("330199001", "城关镇", AreaLevel.street)
    village = AreaRef("330199001001", "东山村", AreaLevel.community)
    areas = [(town, None), (village, town.code)]
    suffixes = levels.place_suffixes()
    assert match_place("城关人民路12号", areas, suffixes) == (town, "城关")
    assert match_place("城关东山12号", areas, suffixes) == (village, "东山")
    assert match_place("城关人民路12号", areas) is None  # the built-in endings only


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"ward": "片区"}, "unknown level ward"),
        ({"street": 3}, "street: expected a name or a mapping"),
        ({"street": {"zh": "片区"}}, "unknown field zh"),
        ({"street": {"zh-CN": ""}}, "street.zh-CN must be a non-empty text"),
        ({"street": {"zh-CN": "很" * 21}}, "longer than 20 characters"),
        ({"street": {"in_use": "no"}}, "street.in_use must be true or false"),
        ({"street": {"suffixes": "镇"}}, "street.suffixes must be a list"),
        ({"community": "街道"}, "street and community are both called '街道' (zh-CN)"),
        ({lv.value: {"in_use": False} for lv in AreaLevel}, "at least one level must be in use"),
        (["street"], "expected a mapping of level → name"),
    ],
)
def test_what_cannot_be_read_is_refused_naming_the_problem(raw: Any, words: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_area_levels(raw, source="levels.yaml")
    assert err.value.code == "bad_area_levels"
    assert err.value.message.startswith("levels.yaml: ")
    assert words in err.value.message


def test_the_yaml_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "levels.yaml"
    path.write_text("district: 县\ngrid:\n  in_use: false\n", encoding="utf-8")
    levels = load_area_levels(path)
    assert levels.name(AreaLevel.district) == "县"
    assert not levels.uses(AreaLevel.grid)


def test_a_file_that_is_not_yaml_or_missing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "levels.yaml"
    path.write_text("district: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="cannot read"):
        load_area_levels(path)
    with pytest.raises(ValidationFailed, match="cannot read"):
        load_area_levels(tmp_path / "missing.yaml")


def test_the_file_and_the_inline_setting_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="not both"):
        load_area_levels(tmp_path / "levels.yaml", {"street": "片区"})
    assert load_area_levels(None, None) == AreaLevels.default()
