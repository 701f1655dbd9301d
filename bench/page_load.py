"""Page load on a slow phone link: the portal, the tracking page and a staff case page.

Builds a fresh SQLite database with the demo city (areas, responsibility list, departments,
staff; Hangzhou 下城区 when ../shared/data is there), starts the real server (uvicorn, one worker)
and sends one appeal through the portal's API for a tracking code and a case. Then Debian's
Chromium (/usr/bin/chromium, driven by Playwright; no browser download) with a phone's screen
(Playwright's "Pixel 5") loads each page over a throttled link — Chrome DevTools'
Network.emulateNetworkConditions: 400 kbit/s down and up, 400 ms latency added to every
request — first with an empty cache (a new browser context; the staff page signs in on an
unthrottled link and then empties the cache), then again in the same context (warm).

"Usable" is the moment, counted from the navigation's start in the page's own clock
(performance.now() at the first animation frame where it holds), when:

  portal        the form's submit button is enabled (its handler is attached; the page script
                has run) and the category picker (#a-category) holds its choices (≥ 2 options)
  tracking      the case card (#t-case) is shown with at least one timeline step
  case          the case's fields (#case-fields) and at least one timeline line (#timeline li)
                are rendered

Also reported: DOMContentLoaded, the load event, when the portal's map has its area outlines
(portal `map_ready`: a Leaflet path in #a-map), the bytes the page moved over the wire (the sum
of CDP's Network.loadingFinished encodedDataLength: headers and bodies as sent, compressed when
compressed), and how many requests it made and how many were answered from the cache.

Usage: python -m bench.page_load [--runs 3] [--label after] [--out FILE]
Writes bench/results/page_load.json (the label's figures replace those of the same label and
keep the others', so a run before a change and one after it sit side by side).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bench._server import RESULTS, ROOT, free_port, machine, seed_city, start_server

CHROMIUM = "/usr/bin/chromium"
DOWN_KBIT = 400
UP_KBIT = 400
LATENCY_MS = 400
PASSWORD = "cityops-demo"  # the demo accounts' (cityops.demo.accounts)

# Each returns performance.now() once the page is usable, else false (polled every frame).
USABLE = {
    "portal": """() => {
        const b = document.querySelector('#appeal button[type=submit]');
        const c = document.querySelector('#a-category');
        return b && !b.disabled && c && c.options.length >= 2 ? performance.now() : false;
    }""",
    "tracking": """() => {
        const box = document.querySelector('#t-case');
        return box && !box.hidden && document.querySelector('#t-timeline li')
            ? performance.now() : false;
    }""",
    "case": """() => document.querySelector('#case-fields dt') &&
        document.querySelector('#timeline li') ? performance.now() : false""",
}
MAP_READY = (
    "() => document.querySelector('#a-map path.leaflet-interactive') ? performance.now() : false"
)
NAV_TIMES = """() => {
    const n = performance.getEntriesByType('navigation')[0];
    return {dom_content_loaded_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd};
}"""


def seed(url: str, data_dir: Path | None) -> str:
    from cityops.app import build_platform
    from cityops.infra.settings import Settings

    platform = build_platform(Settings(env="demo", database_url=url))
    try:
        return seed_city(platform, data_dir)
    finally:
        platform.close()


def one_appeal(base: str, url: str) -> dict[str, Any]:
    """An appeal sent through the portal's API (a street from the list); its tracking code and
    case id."""
    places = httpx.get(f"{base}/api/v1/portal/places", timeout=30).json()
    street = next(p["code"] for p in places if p["level"] == "street")
    receipt = httpx.post(
        f"{base}/api/v1/portal/appeals",
        data={
            "appeal_type": "complaint",
            "description": "小区门口的路灯坏了三天，晚上很黑，请尽快修理。",
            "area_code": street,
            "phone": "13912345678",
        },
        timeout=30,
    )
    receipt.raise_for_status()
    body = receipt.json()
    engine = create_engine(url)
    with engine.connect() as c:
        case_id = c.execute(
            text("SELECT id FROM cases WHERE number = :n"), {"n": body["case_number"]}
        ).scalar_one()
    engine.dispose()
    return {"tracking_code": body["tracking_code"], "case_id": int(case_id)}


class Wire:
    """Bytes and requests of one page load, from CDP's network events."""

    def __init__(self, cdp: Any) -> None:
        self.bytes = 0
        self.requests = 0
        self.from_cache = 0
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.responseReceived", self._response)

    def reset(self) -> None:
        self.bytes = self.requests = self.from_cache = 0

    def _finished(self, ev: dict[str, Any]) -> None:
        self.bytes += int(ev.get("encodedDataLength", 0))

    def _sent(self, _ev: dict[str, Any]) -> None:
        self.requests += 1

    def _cached(self, _ev: dict[str, Any]) -> None:
        self.from_cache += 1

    def _response(self, ev: dict[str, Any]) -> None:
        r = ev.get("response", {})
        if r.get("fromDiskCache") and not r.get("fromPrefetchCache"):
            self.from_cache += 1


def throttle(cdp: Any) -> None:
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": DOWN_KBIT * 1000 / 8,
            "uploadThroughput": UP_KBIT * 1000 / 8,
        },
    )


def load(page: Any, wire: Wire, url: str, usable: str, *, with_map: bool) -> dict[str, Any]:
    wire.reset()
    page.goto(url, wait_until="commit", timeout=120_000)
    at = page.wait_for_function(usable, polling="raf", timeout=120_000).json_value()
    out: dict[str, Any] = {"usable_ms": round(at)}
    if with_map:
        out["map_ready_ms"] = round(
            page.wait_for_function(MAP_READY, polling="raf", timeout=120_000).json_value()
        )
    page.wait_for_load_state("load", timeout=120_000)
    page.wait_for_load_state("networkidle", timeout=120_000)
    out.update({k: round(v) for k, v in page.evaluate(NAV_TIMES).items()})
    out.update(bytes=wire.bytes, requests=wire.requests, from_cache=wire.from_cache)
    return out


def measure(browser: Any, device: dict[str, Any], base: str, seeded: dict[str, Any]) -> dict:
    """One cold and one warm load of each page, each page in its own browser context."""
    pages = {
        "portal": f"{base}/portal",
        "tracking": f"{base}/portal/track/{seeded['tracking_code']}",
        "case": f"{base}/cases/{seeded['case_id']}",
    }
    out: dict[str, Any] = {}
    for name, url in pages.items():
        context = browser.new_context(**device, locale="zh-CN", timezone_id="Asia/Shanghai")
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        if name == "case":  # sign in on the plain link, then forget what that page cached
            page.goto(f"{base}/login?next=/cases/{seeded['case_id']}")
            page.fill("#login-form [name=username]", "dispatcher")
            page.fill("#login-form [name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_url(lambda u: "/login" not in u, timeout=60_000)
            page.goto(f"{base}/healthz")
            cdp.send("Network.clearBrowserCache")
        wire = Wire(cdp)
        throttle(cdp)
        cold = load(page, wire, url, USABLE[name], with_map=name == "portal")
        page.goto(f"{base}/healthz")  # away (same site: the session cookie is SameSite)
        warm = load(page, wire, url, USABLE[name], with_map=name == "portal")
        out[name] = {"cold": cold, "warm": warm}
        context.close()
    return out


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, first in runs[0].items():
        out[name] = {}
        for state, values in first.items():
            out[name][state] = {
                key: round(statistics.median(r[name][state][key] for r in runs)) for key in values
            }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=3, help="rounds; the medians are reported")
    ap.add_argument("--label", default="after", help="whose figures these are (before, after)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=RESULTS / "page_load.json")
    args = ap.parse_args()
    if not args.data.is_dir():
        args.data = None
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="cityops-bench-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'page_load.db'}"
        areas = seed(url, args.data)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(url, port, 1, work / "server.log")
        try:
            seeded = one_appeal(base, url)
            with sync_playwright() as p:
                device = dict(p.devices["Pixel 5"])
                device.pop("default_browser_type", None)
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-quic"],
                )
                runs = []
                for i in range(args.runs):
                    runs.append(measure(browser, device, base, seeded))
                    print(f"run {i + 1}: {json.dumps(runs[-1])}", flush=True)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    previous: dict[str, Any] = {}
    if args.out.is_file():
        previous = json.loads(args.out.read_text()).get("results", {})
    previous[args.label] = {
        "median": median_of(runs),
        "runs": runs,
        "machine": machine(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    report = {
        "benchmark": "page_load",
        "what": "portal, tracking and staff case page on a throttled phone link, cold and warm",
        "link": {"down_kbit_s": DOWN_KBIT, "up_kbit_s": UP_KBIT, "latency_ms": LATENCY_MS},
        "browser": "Debian chromium via Playwright, Pixel 5 viewport, zh-CN",
        "usable": {
            "portal": "submit button enabled and #a-category holds >= 2 options",
            "tracking": "#t-case shown with a #t-timeline li",
            "case": "#case-fields dt and a #timeline li rendered",
        },
        "target": "portal usable within 4 s, cold (issue 14, section 6)",
        "areas": areas,
        "server": "uvicorn, 1 worker, SQLite",
        "results": previous,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
