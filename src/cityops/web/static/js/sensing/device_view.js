// 设备详情: the device's facts, its latest value per metric (cards with units), an ECharts line
// chart per metric (24 h / 7 d / 30 d / 1 y from the series API, LTTB-thinned to POINTS, the
// metric's valid range drawn), live: every LIVE_MS the latest values are asked again and the
// new ones appended to the 24 h charts (polling, shown by the "live" mark); its alarms.
import { api } from "../api.js";
import { areaFeatures } from "../options.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import {
  areaLabel, copyText, deviceState, deviceTypes, formatValue, metricName, stateChip, typeName,
} from "./common.js";

const POINTS = 500;
const LIVE_MS = 5000;
const HOUR = 3600_000;
// range → how far back and which interval of the series API
const RANGES = {
  "24h": { span: 24 * HOUR, interval: "raw" },
  "7d": { span: 7 * 24 * HOUR, interval: "1m" },
  "30d": { span: 30 * 24 * HOUR, interval: "1h" },
  "1y": { span: 365 * 24 * HOUR, interval: "1d" },
};

/** Build the page for the signed-in `user` (only when the page was not refused). */
export async function run(user) {
  const code = document.getElementById("device").dataset.code;
  const enc = encodeURIComponent(code);
  let device = null;
  let kind = null;
  let values = [];
  let streets = [];
  let range = "24h";
  let skew = 0; // the server's clock minus this browser's, from the series answers
  const charts = new Map(); // metric → {chart, data}

  async function echartsReady() {
    if (globalThis.echarts) return globalThis.echarts;
    await new Promise((resolve) => window.addEventListener("load", resolve, { once: true }));
    return globalThis.echarts;
  }

  function fact(label, value) {
    return h("div", {}, h("dt", { text: t(label) }), h("dd", {}, value ?? "—"));
  }

  function renderFacts() {
    if (!device) return;
    const d = device;
    clear(document.getElementById("facts"),
      fact("device.code", d.code),
      fact("device.name", d.name || "—"),
      fact("device.type", typeName(kind) || d.type_code),
      fact("device.status", t(`device.status.${d.status}`)),
      fact("device.state", stateChip(deviceState(d, values, Date.now() + skew))),
      fact("device.area", areaLabel(d.area_code, streets)),
      fact("device.point", `${d.lon.toFixed(6)}, ${d.lat.toFixed(6)}`),
      fact("device.owner_department", d.owner_department || "—"),
      fact("device.om_department", d.om_department || "—"),
      fact("device.gateway", d.gateway_code || "—"),
      fact("device.installed_on", d.installed_on || "—"),
      fact("device.inactivity", t("device.seconds", { n: d.inactivity_seconds })),
      fact("device.token", t(d.has_token ? "device.has_token" : "device.no_token")),
      fact("device.created", formatTime(d.created_at)));
  }

  function renderLatest() {
    const box = document.getElementById("latest");
    const specs = kind?.metrics ?? [];
    if (!specs.length) {
      clear(box, h("p", { class: "muted", text: t("device.no_values") }));
      return;
    }
    clear(box, specs.map((spec) => {
      const v = values.find((x) => x.metric === spec.key);
      const out = v && ((spec.min !== null && v.value < spec.min) || (spec.max !== null && v.value > spec.max));
      return h("div", { class: `metric-card${out ? " out-of-range" : ""}`, "data-metric": spec.key },
        h("div", { class: "metric-name", text: metricName(spec) }),
        h("div", {}, h("span", { class: "metric-value", text: formatValue(v?.value, spec) }),
          spec.unit ? h("span", { class: "metric-unit", text: spec.unit }) : null),
        h("time", { datetime: v?.ts ?? "", text: v ? formatTime(v.ts) : t("device.no_values") }));
    }));
  }

  function chartOption(spec, data) {
    const lines = [];
    if (spec.min !== null) lines.push({ yAxis: spec.min, name: t("device.range_min") });
    if (spec.max !== null) lines.push({ yAxis: spec.max, name: t("device.range_max") });
    return {
      animation: false,
      grid: { left: 48, right: 56, top: 32, bottom: 28 },
      tooltip: { trigger: "axis", valueFormatter: (x) => `${formatValue(x, spec)} ${spec.unit}` },
      xAxis: { type: "time", axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", name: spec.unit, scale: true },
      series: [{
        name: metricName(spec),
        type: "line",
        showSymbol: data.length < 60,
        data,
        lineStyle: { width: 1.6 },
        markLine: lines.length ? {
          silent: true, symbol: "none",
          lineStyle: { type: "dashed", color: "#a32020" },
          label: { formatter: "{b} {c}", position: "insideEndTop" },
          data: lines,
        } : undefined,
      }],
    };
  }

  let chartSeq = 0;
  async function loadCharts() {
    const mine = ++chartSeq;
    const echarts = await echartsReady();
    const { span, interval } = RANGES[range];
    // the server's clock says what "now" is (24 h: the API's default window); the longer
    // ranges count back from it
    const to = new Date(Date.now() + skew);
    const bounds = range === "24h" ? {} : { from: new Date(to.getTime() - span).toISOString(), to: to.toISOString() };
    const specs = kind?.metrics ?? [];
    const answers = await Promise.all(specs.map((spec) => api(`/api/v1/sensing/devices/${enc}/series`, {
      query: { metric: spec.key, ...bounds, interval, agg: "avg", points: POINTS },
    }).catch((err) => ({ error: err.message, points: [] }))));
    if (mine !== chartSeq) return; // another range was asked for meanwhile
    const box = document.getElementById("charts");
    for (const { chart } of charts.values()) chart.dispose();
    charts.clear();
    clear(box);
    const empty = [];
    specs.forEach((spec, i) => {
      const s = answers[i];
      if (s.to) skew = Date.parse(s.to) - Date.now();
      if (!s.points.length && !s.error) {
        empty.push(metricName(spec));
        return;
      }
      const el = h("div", { class: "chart", "data-metric": spec.key, role: "img", "aria-label": metricName(spec) });
      const limits = spec.min !== null && spec.max !== null
        ? t("device.valid_range", { min: spec.min, max: spec.max, unit: spec.unit }) : "";
      const note = s.error ?? (s.downsampled_from
        ? t("device.downsampled", { shown: s.points.length, total: s.downsampled_from })
        : t("device.points", { n: s.points.length }));
      box.append(h("section", { class: "chart-card" },
        h("h3", { text: `${metricName(spec)}${spec.unit ? ` (${spec.unit})` : ""}` }),
        limits ? h("p", { class: "muted small chart-range", text: limits }) : null,
        el, h("p", { class: "muted small", text: note })));
      const chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(chartOption(spec, s.points));
      charts.set(spec.key, { chart, data: [...s.points], spec });
    });
    if (empty.length) {
      box.append(h("p", { class: "muted small charts-empty", id: "charts-empty", text: t("device.no_series", { metrics: empty.join(t("device.list_sep")) }) }));
    }
  }

  /** Live: new latest values into the cards, and appended to the 24 h charts. */
  async function refresh() {
    const live = document.getElementById("live");
    try {
      const data = await api("/api/v1/sensing/latest", { query: { device: code }, background: true });
      values = data.devices?.[0]?.values ?? [];
      renderLatest();
      renderFacts();
      if (range === "24h") {
        let missing = false;
        for (const v of values) {
          const entry = charts.get(v.metric);
          if (!entry) {
            if (kind?.metrics.some((m) => m.key === v.metric)) missing = true;
            continue;
          }
          const ts = Date.parse(v.ts);
          const last = entry.data.at(-1);
          if (last && last[0] >= ts) continue;
          entry.data.push([ts, v.value]);
          const cutoff = Date.now() + skew - RANGES["24h"].span;
          while (entry.data.length && entry.data[0][0] < cutoff) entry.data.shift();
          entry.chart.setOption({ series: [{ data: entry.data, showSymbol: entry.data.length < 60 }] });
        }
        if (missing) await loadCharts(); // a metric's first values in the range: draw its chart
      }
      live.classList.add("is-live");
      live.title = t("device.live_at", { time: formatTime(new Date().toISOString()) });
    } catch {
      live.classList.remove("is-live");
    }
  }

  async function loadAlarms() {
    const box = document.getElementById("device-alarms");
    try {
      const data = await api("/api/v1/alarms", { query: { device: code, limit: 20 } });
      const items = data.items ?? [];
      if (!items.length) {
        clear(box, h("p", { class: "muted", text: t("device.no_alarms") }));
        return;
      }
      clear(box, h("table", { class: "table" },
        h("thead", {}, h("tr", {}, ["device.alarm_title", "device.alarm_severity", "device.alarm_state", "device.alarm_first", "device.alarm_case"]
          .map((k) => h("th", { scope: "col", text: t(k) })))),
        h("tbody", {}, items.map((a) => h("tr", { "data-alarm": a.id },
          h("td", {}, h("a", { href: `/console/alarms?device=${enc}#alarm-${a.id}`, text: a.title || a.rule_code || a.kind })),
          h("td", { text: a.severity }),
          h("td", { text: t(a.active ? "device.alarm_active" : "device.alarm_cleared") }),
          h("td", { class: "nowrap", text: formatTime(a.first_at) }),
          h("td", {}, a.case_id ? h("a", { href: `/cases/${a.case_id}`, text: `#${a.case_id}` }) : "—"))))));
    } catch (err) {
      clear(box, h("p", { class: "error", text: err.message }));
    }
  }

  for (const button of document.querySelectorAll("[data-range]")) {
    button.addEventListener("click", () => {
      range = button.dataset.range;
      for (const b of document.querySelectorAll("[data-range]")) b.setAttribute("aria-pressed", String(b === button));
      loadCharts().catch((err) => flash(err.message, "error"));
    });
  }
  document.getElementById("new-token")?.addEventListener("click", async () => {
    if (!confirm(t("device.new_token_confirm"))) return;
    try {
      const done = await api(`/api/v1/sensing/devices/${enc}/token`, { method: "POST" });
      document.getElementById("token-value").textContent = done.token;
      document.getElementById("token-box").hidden = false;
    } catch (err) {
      flash(err.message, "error");
    }
  });
  document.getElementById("token-copy").addEventListener("click", async () => {
    const ok = await copyText(document.getElementById("token-value").textContent);
    flash(t(ok ? "devices.copied" : "devices.copy_failed"), ok ? "ok" : "error");
  });
  window.addEventListener("resize", () => { for (const { chart } of charts.values()) chart.resize(); });
  onLangChange(() => {
    renderFacts();
    renderLatest();
    loadCharts();
    loadAlarms();
  });

  try {
    const [d, types, areas, latest] = await Promise.all([
      api(`/api/v1/sensing/devices/${enc}`),
      deviceTypes(),
      areaFeatures("street").catch(() => []),
      api("/api/v1/sensing/latest", { query: { device: code } }),
    ]);
    device = d;
    streets = areas;
    kind = types.find((k) => k.code === d.type_code) ?? null;
    values = latest.devices?.[0]?.values ?? [];
    renderLatest();
    await Promise.all([loadCharts(), loadAlarms()]);
    renderFacts(); // after the series: their answers carry the server's clock (online or not)
    document.getElementById("live").classList.add("is-live");
    setInterval(refresh, LIVE_MS);
  } catch (err) {
    clear(document.getElementById("facts"), h("p", { class: "error", text: err.message }));
  }
}
