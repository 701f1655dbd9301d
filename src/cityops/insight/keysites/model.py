"""Key sites (重点场所) from a file, pure: a GeoJSON FeatureCollection of Points or a CSV with the
columns kind, name, lon, lat[, address], each row checked on its own so that one answer lists
every wrong row (row and field named); the caller writes all rows or none.

A kind is a short code (`school`, `hospital`, `construction`, `waterlogging`, … or one of the
city's own, `[a-z][a-z0-9_]*`); the Chinese words of the known kinds are taken for their code
(学校 → school). Whatever else a feature's properties or a CSV row hold is kept as the site's
`properties` (shown, never interpreted)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cityops.kernel.errors import ValidationFailed

MAX_SITES = 20_000  # per import
MAX_NAME = 200
MAX_ADDRESS = 300
MAX_PROPERTIES_BYTES = 4_000  # a site's other properties, as JSON
NEAR_M = 500.0  # the cases counted near a site: within this many metres east, west, north, south

# the known kinds, in the legend's order, with their Chinese words (also accepted as input)
KNOWN_KINDS: dict[str, tuple[str, ...]] = {
    "school": ("学校", "中小学"),
    "kindergarten": ("幼儿园",),
    "hospital": ("医院", "医疗机构"),
    "elderly_care": ("养老机构", "养老院"),
    "construction": ("工地", "建筑工地", "在建工地"),
    "waterlogging": ("积水点", "易涝点"),
    "market": ("农贸市场", "市场"),
    "gas_station": ("加油站",),
    "hazardous": ("危化品企业", "危险化学品"),
}
_ALIASES = {word: code for code, words in KNOWN_KINDS.items() for word in words}
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

# CSV headers: the English name or its Chinese word
_COLUMNS = {
    "kind": "kind",
    "类型": "kind",
    "name": "name",
    "名称": "name",
    "lon": "lon",
    "经度": "lon",
    "lat": "lat",
    "纬度": "lat",
    "address": "address",
    "地址": "address",
}

JsonValue = str | int | float | bool | None
Parsed = tuple[list["SiteRow"], list["RowError"]]


@dataclass(frozen=True)
class RowError:
    """A wrong row: `row` is the feature's number (from 1) in GeoJSON, the line in CSV (the
    header is line 1); `field` the property or column."""

    row: int
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class SiteRow:
    """A checked row, its point still in the file's coordinate system."""

    row: int
    kind: str
    name: str
    lon: float
    lat: float
    address: str | None
    properties: dict[str, JsonValue] = field(default_factory=dict)


class FileRejected(ValidationFailed):
    """The file as a whole cannot be read (not JSON, not a FeatureCollection, too many rows)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def kind_code(text: str) -> str | None:
    """The kind's code for `text` (a code or a known kind's Chinese word); None when neither."""
    text = text.strip()
    if text in _ALIASES:
        return _ALIASES[text]
    lowered = text.lower()
    return lowered if _KIND.match(lowered) else None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(_text(value))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _properties(extra: Mapping[str, object]) -> dict[str, JsonValue]:
    out: dict[str, JsonValue] = {}
    for key, value in extra.items():
        if isinstance(value, str | int | float | bool) or value is None:
            out[str(key)] = value
        else:  # nested values are kept as their JSON text
            out[str(key)] = json.dumps(value, ensure_ascii=False)
    return out


def check_row(
    row: int,
    kind: object,
    name: object,
    lon: object,
    lat: object,
    address: object,
    extra: Mapping[str, object],
    default_kind: str | None,
    errors: list[RowError],
) -> SiteRow | None:
    """One row checked; its errors appended to `errors` (None then)."""
    found: list[RowError] = []
    kind_text = _text(kind) or (default_kind or "")
    code = kind_code(kind_text) if kind_text else None
    if not kind_text:
        found.append(RowError(row, "kind", "missing", "a kind is needed (or give ?kind=)"))
    elif code is None:
        found.append(
            RowError(
                row,
                "kind",
                "invalid",
                f"{kind_text!r} is not a kind: a known kind's word or a code of a-z, 0-9 and _",
            )
        )
    name_text = _text(name)
    if not name_text:
        found.append(RowError(row, "name", "missing", "a name is needed"))
    elif len(name_text) > MAX_NAME:
        found.append(RowError(row, "name", "too_long", f"at most {MAX_NAME} characters"))
    x, y = _number(lon), _number(lat)
    if x is None or not -180 <= x <= 180:
        found.append(RowError(row, "lon", "invalid", f"{lon!r} is not a longitude (-180…180)"))
    if y is None or not -90 <= y <= 90:
        found.append(RowError(row, "lat", "invalid", f"{lat!r} is not a latitude (-90…90)"))
    address_text = _text(address) or None
    if address_text and len(address_text) > MAX_ADDRESS:
        found.append(RowError(row, "address", "too_long", f"at most {MAX_ADDRESS} characters"))
    props = _properties(extra)
    if len(json.dumps(props, ensure_ascii=False).encode()) > MAX_PROPERTIES_BYTES:
        found.append(
            RowError(
                row,
                "properties",
                "too_long",
                f"the other properties exceed {MAX_PROPERTIES_BYTES} bytes as JSON",
            )
        )
    if found or code is None or x is None or y is None:
        errors.extend(found)
        return None
    return SiteRow(row, code, name_text, x, y, address_text, props)


def parse_geojson(
    content: bytes, default_kind: str | None = None
) -> tuple[list[SiteRow], list[RowError]]:
    """The Point features of a FeatureCollection: properties `kind`, `name`, `address` (or
    their Chinese words 类型, 名称, 地址); everything else kept. FileRejected when the file is
    not such a collection or holds more than MAX_SITES features."""
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FileRejected("key_sites_bad_file", f"the file is not UTF-8 JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise FileRejected("key_sites_bad_file", "a GeoJSON FeatureCollection is needed")
    features = doc.get("features")
    if not isinstance(features, list):
        raise FileRejected("key_sites_bad_file", "the FeatureCollection has no features list")
    _check_count(len(features))
    rows: list[SiteRow] = []
    errors: list[RowError] = []
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(RowError(i, "type", "invalid", "not a GeoJSON Feature"))
            continue
        geometry = feature.get("geometry")
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            errors.append(RowError(i, "geometry", "invalid", "the geometry must be a Point"))
            continue
        if not isinstance(coords, list) or len(coords) < 2:
            errors.append(RowError(i, "geometry", "invalid", "a Point needs [lon, lat]"))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            errors.append(RowError(i, "properties", "invalid", "properties must be an object"))
            continue
        own = {"kind", "类型", "name", "名称", "address", "地址"}
        site = check_row(
            i,
            props.get("kind", props.get("类型")),
            props.get("name", props.get("名称")),
            coords[0],
            coords[1],
            props.get("address", props.get("地址")),
            {k: v for k, v in props.items() if k not in own},
            default_kind,
            errors,
        )
        if site is not None:
            rows.append(site)
    return rows, errors


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:  # a CSV saved by Excel on a Chinese system
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileRejected("key_sites_bad_file", "the CSV is neither UTF-8 nor GB18030") from exc


def parse_csv(
    content: bytes, default_kind: str | None = None
) -> tuple[list[SiteRow], list[RowError]]:
    """The rows of a CSV whose header names kind (unless `default_kind`), name, lon, lat and
    optionally address (or 类型, 名称, 经度, 纬度, 地址); other columns kept as properties."""
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected("key_sites_bad_file", "the CSV is empty") from None
    except csv.Error as exc:
        raise FileRejected("key_sites_bad_file", f"the CSV cannot be read: {exc}") from exc
    names = [_COLUMNS.get(h.strip().lower(), _COLUMNS.get(h.strip(), h.strip())) for h in header]
    needed = ["name", "lon", "lat"] + ([] if default_kind else ["kind"])
    missing = [c for c in needed if c not in names]
    if missing:
        raise FileRejected(
            "key_sites_bad_file",
            f"the CSV header lacks {', '.join(missing)} (kind,name,lon,lat[,address])",
        )
    rows: list[SiteRow] = []
    errors: list[RowError] = []
    count = 0
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            count += 1
            _check_count(count)
            line = reader.line_num
            values = dict(zip(names, record, strict=False))
            extra = {k: v for k, v in values.items() if k not in _OWN_COLUMNS and k and v != ""}
            site = check_row(
                line,
                values.get("kind"),
                values.get("name"),
                values.get("lon"),
                values.get("lat"),
                values.get("address"),
                extra,
                default_kind,
                errors,
            )
            if site is not None:
                rows.append(site)
    except csv.Error as exc:
        raise FileRejected(
            "key_sites_bad_file", f"the CSV cannot be read at line {reader.line_num}: {exc}"
        ) from exc
    return rows, errors


_OWN_COLUMNS = frozenset({"kind", "name", "lon", "lat", "address"})


def _check_count(count: int) -> None:
    if count > MAX_SITES:
        raise FileRejected(
            "key_sites_too_many", f"at most {MAX_SITES} sites in one import; split the file"
        )


def kinds_of(rows: Iterable[SiteRow]) -> list[str]:
    """The kinds the rows hold, in the order they first appear."""
    return list(dict.fromkeys(r.kind for r in rows))


def near_box(lon: float, lat: float, metres: float = NEAR_M) -> tuple[float, float, float, float]:
    """The bbox reaching `metres` east, west, north and south of the point (a sphere of the
    earth's mean radius; fine at a city's scale)."""
    dlat = math.degrees(metres / 6_371_008.8)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return (
        round(max(-180.0, lon - dlon), 6),
        round(max(-90.0, lat - dlat), 6),
        round(min(180.0, lon + dlon), 6),
        round(min(90.0, lat + dlat), 6),
    )
