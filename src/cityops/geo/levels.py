"""The area levels of a deployment: what each level is called (zh-CN and English) and which
levels the city uses. The level identifiers (`city`, `district`, `street`, `community`, `grid`)
never change — they are the API's contract and what the database stores; only the names shown
to people and the set of levels in use are configured.

A rural county says 县 → 乡镇 → 行政村 → 网格; a city may call a level 片区, or draw no grids at
all. The configuration is a mapping (`CITYOPS_AREA_LEVELS` as JSON, or a YAML file named by
`CITYOPS_AREA_LEVELS_FILE`), one entry per level to change, every other level keeping its
default:

    district: 县                          # the zh-CN name only
    street: {zh-CN: 乡镇, en: Township, suffixes: [镇, 乡]}
    community: {zh-CN: 行政村, en: Village, suffixes: [村]}
    grid: {in_use: false}                 # no grid layer: a point ends at the community

`suffixes`: the endings an area's name may be written without in an address (石桥街道 is also
written 石桥); by default the level's built-in ending (街道, 社区) and its configured zh-CN
name. A level that is not in use is not imported, listed, offered or located; areas of it
stored earlier still resolve by code (`GeoService.chain_of`), so older cases keep their place.

Parsing is pure (`parse_area_levels`); `load_area_levels` reads the file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cityops.geo.model import LEVELS, AreaLevel
from cityops.kernel.errors import ValidationFailed

LANGS = ("zh-CN", "en")
MAX_NAME_LENGTH = 20
_BAD = "bad_area_levels"
# the built-in names, and the endings an area's name is also written without
_DEFAULTS: dict[AreaLevel, tuple[str, str, tuple[str, ...]]] = {
    AreaLevel.city: ("市", "City", ()),
    AreaLevel.district: ("区", "District", ()),
    AreaLevel.street: ("街道", "Street", ("街道",)),
    AreaLevel.community: ("社区", "Community", ("社区",)),
    AreaLevel.grid: ("网格", "Grid", ()),
}
# `{level.street}` in a UI string: the configured name of that level; `{level.street:lower}`
# the same in lower case (English inside a sentence)
_PLACEHOLDER = re.compile(
    r"\{level\.(" + "|".join(level.value for level in LEVELS) + r")(:lower)?\}"
)


@dataclass(frozen=True, slots=True)
class LevelName:
    """What one level is called. `suffixes`: name endings dropped when matching an address."""

    zh: str
    en: str
    suffixes: tuple[str, ...] = ()

    def in_lang(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True, slots=True)
class AreaLevels:
    """The configured names of every level and the levels in use (top down)."""

    names: Mapping[AreaLevel, LevelName]
    in_use: tuple[AreaLevel, ...]

    @classmethod
    def default(cls) -> AreaLevels:
        return parse_area_levels(None)

    def name(self, level: AreaLevel, lang: str = "zh-CN") -> str:
        """The display name of a level (zh-CN unless lang is "en")."""
        return self.names[level].in_lang(lang)

    def label(self, level: AreaLevel) -> str:
        """The zh-CN name with the identifier, for the CLI and messages: '乡镇 (street)'."""
        return f"{self.names[level].zh} ({level.value})"

    def uses(self, level: AreaLevel) -> bool:
        return level in self.in_use

    def check_in_use(self, level: AreaLevel) -> None:
        """ValidationFailed(code="level_not_in_use") for a level this deployment does not use."""
        if level not in self.in_use:
            used = ", ".join(self.label(lv) for lv in self.in_use)
            raise ValidationFailed(
                f"the {self.label(level)} level is not in use here (levels in use: {used}; "
                "see CITYOPS_AREA_LEVELS)",
                code="level_not_in_use",
                level=level.value,
            )

    @property
    def grid_parents(self) -> tuple[AreaLevel, ...]:
        """The levels a generated grid layer may be cut into: the street and the community where
        in use (a street with no communities takes its grids directly), else the district."""
        found = tuple(lv for lv in (AreaLevel.street, AreaLevel.community) if lv in self.in_use)
        return found or (AreaLevel.district,)

    def place_suffixes(self) -> tuple[str, ...]:
        """Every ending an area's name may be written without, longest first."""
        endings = {s for name in self.names.values() for s in name.suffixes}
        return tuple(sorted(endings, key=lambda s: (-len(s), s)))

    def ui_strings(self, lang: str) -> dict[str, str]:
        """The `level.<id>` entries of the UI dictionary of one language."""
        return {f"level.{level.value}": self.name(level, lang) for level in LEVELS}

    def fill(self, text: str, lang: str) -> str:
        """A UI string with every `{level.<id>}` replaced by that level's name (`:lower`: in
        lower case)."""

        def name(match: re.Match[str]) -> str:
            shown = self.name(AreaLevel(match.group(1)), lang)
            return shown.lower() if match.group(2) else shown

        return _PLACEHOLDER.sub(name, text)

    def describe(self) -> list[dict[str, Any]]:
        """Every level, top down, as plain data (the API and the CLI show it)."""
        return [
            {
                "level": level.value,
                "name": {"zh-CN": self.names[level].zh, "en": self.names[level].en},
                "in_use": level in self.in_use,
            }
            for level in LEVELS
        ]


def _problem(source: str, text: str) -> ValidationFailed:
    return ValidationFailed(f"{source}: {text}", code=_BAD)


def _name(value: Any, what: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _problem(source, f"{what} must be a non-empty text, not {value!r}")
    text = value.strip()
    if len(text) > MAX_NAME_LENGTH:
        raise _problem(source, f"{what} {text!r} is longer than {MAX_NAME_LENGTH} characters")
    return text


def parse_area_levels(raw: Mapping[str, Any] | None, *, source: str = "area levels") -> AreaLevels:
    """The level configuration from its mapping form (see the module docstring); None or an
    empty mapping: the built-in names, every level in use. Anything it cannot read is refused
    with ValidationFailed(code="bad_area_levels") naming `source`, the level and the problem."""
    if raw is not None and not isinstance(raw, Mapping):
        raise _problem(source, f"expected a mapping of level → name, not {type(raw).__name__}")
    spec = dict(raw or {})
    known = [level.value for level in LEVELS]
    unknown = [str(key) for key in spec if key not in known]
    if unknown:
        raise _problem(
            source, f"unknown level {', '.join(unknown)}: the levels are {', '.join(known)}"
        )
    names: dict[AreaLevel, LevelName] = {}
    in_use: list[AreaLevel] = []
    for level in LEVELS:
        zh, en, suffixes = _DEFAULTS[level]
        entry = spec.get(level.value)
        used = True
        if isinstance(entry, str):
            entry = {"zh-CN": entry}
        if entry is None:
            entry = {}
        if not isinstance(entry, Mapping):
            raise _problem(
                source,
                f"{level.value}: expected a name or a mapping with zh-CN, en, suffixes, in_use; "
                f"not {entry!r}",
            )
        extra = sorted(str(k) for k in entry if k not in (*LANGS, "suffixes", "in_use"))
        if extra:
            raise _problem(
                source,
                f"{level.value}: unknown field {', '.join(extra)} (fields: zh-CN, en, suffixes, "
                "in_use)",
            )
        if "zh-CN" in entry:
            zh = _name(entry["zh-CN"], f"{level.value}.zh-CN", source)
            suffixes = (*suffixes, zh) if zh not in suffixes else suffixes
        if "en" in entry:
            en = _name(entry["en"], f"{level.value}.en", source)
        if "suffixes" in entry:
            given = entry["suffixes"]
            if not isinstance(given, list):
                raise _problem(source, f"{level.value}.suffixes must be a list, not {given!r}")
            suffixes = tuple(_name(s, f"{level.value}.suffixes", source) for s in given)
        if "in_use" in entry:
            if not isinstance(entry["in_use"], bool):
                raise _problem(
                    source, f"{level.value}.in_use must be true or false, not {entry['in_use']!r}"
                )
            used = entry["in_use"]
        names[level] = LevelName(zh=zh, en=en, suffixes=suffixes)
        if used:
            in_use.append(level)
    if not in_use:
        raise _problem(source, "at least one level must be in use")
    for lang in LANGS:
        seen: dict[str, AreaLevel] = {}
        for level in LEVELS:
            shown = names[level].in_lang(lang)
            if shown in seen:
                raise _problem(
                    source,
                    f"{seen[shown].value} and {level.value} are both called {shown!r} ({lang}): "
                    "people could not tell them apart",
                )
            seen[shown] = level
    return AreaLevels(names=names, in_use=tuple(in_use))


def load_area_levels(
    path: Path | None = None, inline: Mapping[str, Any] | None = None
) -> AreaLevels:
    """The levels from a YAML file (CITYOPS_AREA_LEVELS_FILE) or an inline mapping
    (CITYOPS_AREA_LEVELS); neither: the defaults. Both at once is refused (which would win?)."""
    if path is not None and inline:
        raise ValidationFailed(
            "set CITYOPS_AREA_LEVELS or CITYOPS_AREA_LEVELS_FILE, not both", code=_BAD
        )
    if path is None:
        return parse_area_levels(inline, source="CITYOPS_AREA_LEVELS")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValidationFailed(f"cannot read {path}: {exc}", code=_BAD) from exc
    return parse_area_levels(data, source=str(path))
