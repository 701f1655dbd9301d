"""One settings object (prefix CITYOPS_), built in app.py and passed down."""

from __future__ import annotations

import json
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cityops.infra.secret_key import DEV_SECRET, secret_key_problem

__all__ = ["DEV_SECRET", "Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITYOPS_", extra="ignore")

    env: Literal["dev", "demo", "test", "prod"] = "dev"
    database_url: str = "sqlite:///var/cityops.db"
    # SQLite only: FULL syncs the write-ahead log at every commit, so an acknowledged write
    # survives a power cut; NORMAL syncs it only at checkpoints (a power cut may lose the last
    # commits, never corrupt the file). Unset: FULL when env=prod, NORMAL otherwise. The
    # measured cost is in README (bench/sqlite_synchronous.py).
    sqlite_synchronous: Literal["NORMAL", "FULL"] | None = None
    secret_key: str = DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    # the address the public reaches this server at (https://cityops.example.cn): the public
    # feeds build their links from it (Open311 media_url). Unset: the address each request came
    # to (its Host header), which is right for a server reached directly
    public_url: str | None = None
    token_ttl_minutes: int = 12 * 60
    # console sign-in (a session cookie holding a bearer token): signed out after this many
    # minutes without a request; the token's own lifetime (token_ttl_minutes) still bounds it
    session_idle_minutes: int = Field(default=30, ge=1)
    max_body_bytes: int = 1_000_000
    # SLA: share of a stage's time after which the clock turns yellow
    sla_yellow_ratio: float = 0.8
    # performance evaluation (绩效考核): a YAML file overriding the default weights, grades and
    # minimum volumes (docs/insight/evaluation.md), and the console's view (trend | ranking)
    evaluation_config: str | None = None
    evaluation_view: str | None = None
    # 督办: a case overdue this many working hours is escalated to supervision
    escalate_after_overdue_hours: float = 8.0
    scheduler_interval_seconds: float = 60.0
    # generated reports (智能报表): a .docx replacing the shipped template (placeholders in
    # docs/insight/reports.md), a font file with Chinese glyphs for the charts (unset: Noto Sans
    # CJK SC where Debian's fonts-noto-cjk puts it) and the Chromium that prints the PDF
    report_template: str | None = None
    report_font: str | None = None
    report_chromium: str = "/usr/bin/chromium"
    # the hourly job building yesterday's, last week's and last month's reports. Unset: on,
    # except when env=test (the tests that run every job at once would print PDFs)
    report_schedule: bool | None = None
    relay_interval_seconds: float = 1.0
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 8
    # webhook sending: a pass every interval; each receiver on a lane of its own that takes no
    # new delivery after lane_seconds; at most lanes_at_once receivers at a time; a receiver
    # whose sends fail breaker_threshold times in a row is paused (circuit breaker)
    webhook_interval_seconds: float = Field(default=5.0, gt=0)
    webhook_lane_seconds: float = Field(default=30.0, gt=0)
    webhook_lanes_at_once: int = Field(default=16, ge=1)
    webhook_breaker_threshold: int = Field(default=5, ge=1)
    # webhooks reach only public addresses, except those in these networks (a real internal
    # receiver): "10.1.2.0/24, 127.0.0.1/32" in the environment, or a JSON list
    webhook_allow_networks: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()
    # the reverse proxies whose X-Forwarded-For (and -Proto) name the client (`cityops serve`
    # hands them to uvicorn): addresses or networks, written as webhook_allow_networks. Empty:
    # nobody, the client is the connection's peer — what the allowances and the sign-in
    # throttle count by, so a process on this host cannot pick its own identity.
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()
    holidays_file: Path | None = None
    # where a matter without a place (a consultation answered on the phone) is filed; unset:
    # the top-level area of the imported areas (the city, or the district when only it and
    # what lies below it were imported)
    default_city_code: str | None = None
    # the area levels of this city: each level's display name (zh-CN, English) and the levels in
    # use, as a mapping (JSON in the environment) or a YAML file; unset: 市 区 街道 社区 网格, all
    # in use. The format is in geo/levels.py; README has an example
    area_levels: dict[str, Any] | None = None
    area_levels_file: Path | None = None
    # 三率 (接诉即办): weight of 基本满意 in 满意率, and of 响应率/解决率/满意率 in the composite
    three_rates_basic_weight: float = 0.9
    three_rates_weights: tuple[float, float, float] = (0.1, 0.5, 0.4)
    # 疑似重复: a case is suggested as a possible duplicate only from this text similarity
    # (character-bigram cosine) up; the default is reasoned in appeals/duplicates/model.py
    duplicates_min_text_similarity: float = Field(default=0.2, ge=0.0, le=1.0)
    # 智能分拨: the routing model store (its `latest` version is used at intake), and the top
    # probability from which a citizen appeal is registered and dispatched without a dispatcher
    router_model_dir: Path = Path("var/models/router")
    router_auto_dispatch_confidence: float = Field(default=0.85, ge=0.0, le=1.0)
    # Open311 allowances per server process (429 beyond them): POSTs per api_key and per client
    # address, reads per address. A whole city's intake stays far below one key's allowance.
    open311_posts_per_minute_per_key: int = Field(default=600, ge=1)
    open311_posts_per_minute_per_ip: int = Field(default=1200, ge=1)
    open311_reads_per_minute_per_ip: int = Field(default=600, ge=1)
    # The citizen portal's allowances per client address and server process: submissions,
    # reads of the portal's own pages (tracking, board, places), and the public reads without a
    # sign-in that any page may make (areas, locate, categories); staff signed in are not limited.
    portal_submits_per_minute: int = Field(default=5, ge=1)
    portal_reads_per_minute: int = Field(default=60, ge=1)
    public_reads_per_minute: int = Field(default=600, ge=1)
    # Sign-in throttling per server process (org/throttle.py): an address waits after
    # login_free_failures wrong passwords on one account (after login_free_address_failures on
    # all accounts), the wait doubling from 1 s to login_max_wait_seconds; counts are forgotten
    # after login_forget_after_seconds quiet; every account takes at most
    # login_attempts_per_account_per_minute attempts. Passwords are verified on
    # password_check_workers threads (0: half the cores) with password_check_queue waiting.
    login_free_failures: int = Field(default=3, ge=1)
    login_free_address_failures: int = Field(default=20, ge=1)
    login_max_wait_seconds: float = Field(default=300.0, gt=0)
    login_forget_after_seconds: float = Field(default=900.0, gt=0)
    login_attempts_per_account_per_minute: int = Field(default=300, ge=1)
    password_check_workers: int = Field(default=0, ge=0)
    password_check_queue: int = Field(default=8, ge=0)
    # MQTT telemetry (`cityops sensing ingest-mqtt`): the broker (mqtt://user:password@host:port,
    # mqtts:// for TLS), the shared-subscription group the ingest workers split the load in, and
    # the topic prefix (devices publish to {prefix}/devices/{code}/telemetry)
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    mqtt_share_group: str = "cityops-ingest"
    mqtt_topic_prefix: str = "cityops/v1"
    # the city map's basemap (docs/insight/citymap.md): `areas` (the city's own polygons, no
    # tiles), `pmtiles` or `mbtiles` (basemap_file, served by cityops: /basemap/tiles.pmtiles by
    # range requests, /basemap/{z}/{x}/{y} from the MBTiles SQLite file), or `raster` (an online
    # tile source: basemap_tile_urls, templates with {z} {x} {y} — 天地图 web mercator with its
    # key, or AMap/Tencent with basemap_crs=gcj02, when the page shifts every overlay to GCJ-02)
    basemap: Literal["areas", "pmtiles", "mbtiles", "raster"] = "areas"
    basemap_file: Path | None = None
    basemap_tile_urls: tuple[str, ...] = ()
    basemap_crs: Literal["wgs84", "gcj02"] = "wgs84"
    basemap_attribution: str = ""
    basemap_max_zoom: int = Field(default=18, ge=0, le=22)

    @field_validator("basemap_tile_urls")
    @classmethod
    def _tile_templates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in value:
            if not url.startswith(("https://", "http://")) or not all(
                part in url for part in ("{z}", "{x}", "{y}")
            ):
                raise ValueError(f"a tile URL is http(s) with {{z}}, {{x}} and {{y}}: {url!r}")
        return value

    @field_validator("webhook_allow_networks", "trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        """Comma- or space-separated networks, or a JSON list; host bits are dropped."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                value = json.loads(text)
            else:
                value = [part for part in text.replace(",", " ").split() if part]
        if isinstance(value, (list, tuple)):
            return tuple(ip_network(str(item), strict=False) for item in value)
        return value

    @model_validator(mode="after")
    def _basemap_complete(self) -> Settings:
        if self.basemap in ("pmtiles", "mbtiles") and self.basemap_file is None:
            raise ValueError(f"CITYOPS_BASEMAP={self.basemap} needs CITYOPS_BASEMAP_FILE")
        if self.basemap == "raster" and not self.basemap_tile_urls:
            raise ValueError("CITYOPS_BASEMAP=raster needs CITYOPS_BASEMAP_TILE_URLS")
        return self

    @model_validator(mode="after")
    def _refuse_a_weak_secret(self) -> Settings:
        if self.env == "prod":
            problem = secret_key_problem(self.secret_key)
            if problem is not None:
                raise ValueError(f"CITYOPS_ENV=prod needs a strong CITYOPS_SECRET_KEY: {problem}")
        return self

    def serving_problem(self) -> str | None:
        """Why this configuration may not serve; None: it may. Only the development modes (dev,
        demo) serve with the public development secret or a weak one (and say so, see
        development_warning); test is for the test suite, which builds its apps in process."""
        if self.env in ("dev", "demo"):
            return None
        problem = secret_key_problem(self.secret_key)
        if problem is None:
            return None
        return f"CITYOPS_ENV={self.env} serves only with a strong CITYOPS_SECRET_KEY: {problem}"

    def development_warning(self) -> str | None:
        """What a server started in a development mode (dev, demo) should say first: that mode,
        and whether tokens are signed with the development secret that anyone can read."""
        if self.env not in ("dev", "demo"):
            return None
        secret = (
            "tokens are signed with the built-in development secret (CITYOPS_SECRET_KEY is not "
            "set), so anyone can forge a sign-in"
            if self.secret_key == DEV_SECRET
            else "CITYOPS_SECRET_KEY is set"
        )
        return (
            f"CITYOPS_ENV={self.env}: development mode; {secret}. For a deployment set "
            "CITYOPS_ENV=prod and CITYOPS_SECRET_KEY to a long random secret."
        )

    @property
    def sqlite_sync(self) -> Literal["NORMAL", "FULL"]:
        """PRAGMA synchronous for SQLite: as set, else FULL in production and NORMAL elsewhere."""
        if self.sqlite_synchronous is not None:
            return self.sqlite_synchronous
        return "FULL" if self.env == "prod" else "NORMAL"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
