// 回测: what the saved rule would have raised over a period on the stored readings, before it is
// switched on. Devices: the rule's scope, those named, or those of a type / area; the result as a
// table and, for one device, an ECharts chart of its series with the alarm spans shaded and the
// threshold drawn.
import { api } from "../api.js";
import { clear, formatTime, h } from "../dom.js";
import { t } from "../i18n.js";

const DAY = 86_400_000;
let chart = null;

/** A datetime-local value for an instant, in Asia/Shanghai. */
function localValue(ms) {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
}

const instant = (value) => (value ? `${value}:00+08:00` : null);

function duration(seconds) {
  const m = Math.round(seconds / 60);
  if (m < 60) return t("rules.bt.minutes", { n: m });
  return t("rules.bt.hours", { n: (m / 60).toFixed(1) });
}

async function devicesOf(type, area) {
  const page = await api("/api/v1/sensing/devices", { query: { type_code: type || undefined, area: area || undefined, limit: 500 } });
  return page.items.map((d) => d.code);
}

/** The backtest section for the saved rule `stored` ({code, version, body}). */
export function backtestPanel(stored, { types, areas }) {
  const now = Date.now();
  const result = h("div", { id: "bt-result", class: "stack", "aria-live": "polite" });
  const input = (id, props) => h("input", { id, name: id, autocomplete: "off", ...props });
  const any = t("rules.any");
  const sel = (id, pairs) => h("select", { id, name: id }, h("option", { value: "", text: any }), pairs.map(([v, l]) => h("option", { value: v, text: l })));
  const form = h("form", { id: "bt-form", class: "stack" },
    h("p", { class: "muted small", text: t("rules.bt.lead", { version: stored.version }) }),
    h("div", { class: "rule-fields" },
      h("div", { class: "field field-wide" }, h("label", { for: "bt-devices", text: t("rules.bt.devices") }),
        input("bt-devices", { placeholder: t("rules.bt.devices_ph") })),
      h("div", { class: "field" }, h("label", { for: "bt-type", text: t("rules.device_type") }), sel("bt-type", types)),
      h("div", { class: "field" }, h("label", { for: "bt-area", text: t("rules.area") }), sel("bt-area", areas)),
      h("div", { class: "field" }, h("label", { for: "bt-from", text: t("rules.bt.from") }), input("bt-from", { type: "datetime-local", value: localValue(now - 7 * DAY) })),
      h("div", { class: "field" }, h("label", { for: "bt-to", text: t("rules.bt.to") }), input("bt-to", { type: "datetime-local", value: localValue(now) }))),
    h("div", { class: "form-buttons" }, h("button", { type: "submit", id: "bt-run", class: "btn btn-primary", text: t("rules.bt.run") })));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const button = f["bt-run"];
    button.disabled = true;
    clear(result, h("p", { class: "muted", text: t("rules.bt.running") }));
    try {
      let devices = f["bt-devices"].value.split(/[\s,，、]+/).filter(Boolean);
      if (!devices.length && (f["bt-type"].value || f["bt-area"].value)) {
        devices = await devicesOf(f["bt-type"].value, f["bt-area"].value);
        if (!devices.length) throw new Error(t("rules.bt.no_devices"));
      }
      const period = { start: instant(f["bt-from"].value), end: instant(f["bt-to"].value) };
      const found = await api(`/api/v1/alarm-rules/${encodeURIComponent(stored.code)}/backtest`, {
        method: "POST", body: { ...period, devices: devices.length ? devices : null },
      });
      showResult(result, found, stored.body, period);
    } catch (err) {
      clear(result, h("p", { class: "error", role: "alert", text: err.message }));
    } finally {
      button.disabled = false;
    }
  });
  return h("section", { class: "stack", id: "backtest", "aria-labelledby": "bt-title" },
    h("h3", { id: "bt-title", text: t("rules.bt.title") }), form, result);
}

function showResult(box, found, body, period) {
  const summary = t("rules.bt.summary", {
    count: found.count, readings: found.readings, duration: duration(found.total_duration_seconds),
  });
  const devices = [...new Set([...found.alarms.map((a) => a.device_code), ...Object.keys(found.per_device)])];
  const pick = h("select", { id: "bt-chart-device", "aria-label": t("rules.bt.chart_device") }, devices.map((d) => h("option", { value: d, text: d })));
  const chartBox = h("div", { id: "bt-chart", class: "bt-chart", role: "img", "aria-label": t("rules.bt.chart_label") });
  const rows = found.alarms.map((a) => h("tr", { dataset: { device: a.device_code } },
    h("td", { "data-label": t("rules.bt.device") }, h("div", { class: "cell" }, a.device_code)),
    h("td", { "data-label": t("rules.bt.start"), class: "nowrap" }, h("div", { class: "cell" }, formatTime(a.start))),
    h("td", { "data-label": t("rules.bt.end"), class: "nowrap" }, h("div", { class: "cell" }, a.end ? formatTime(a.end) : t("rules.bt.still_active"))),
    h("td", { "data-label": t("rules.bt.duration"), class: "num" }, h("div", { class: "cell" }, duration(a.duration_seconds))),
    h("td", { "data-label": t("rules.bt.peak"), class: "num" }, h("div", { class: "cell" }, a.peak === null ? "—" : String(a.peak)))));
  clear(box,
    h("p", { id: "bt-summary", class: "strong", text: summary }),
    found.alarms.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "table admin-table", id: "bt-table" },
        h("thead", {}, h("tr", {}, ["device", "start", "end", "duration", "peak"].map((k) => h("th", { scope: "col", text: t(`rules.bt.${k}`) })))),
        h("tbody", {}, rows)))
      : h("p", { class: "muted", text: t("rules.bt.none") }),
    devices.length ? h("div", { class: "field" }, h("label", { for: "bt-chart-device", text: t("rules.bt.chart_device") }), pick) : null,
    devices.length ? chartBox : null);
  if (!devices.length) return;
  const draw = () => drawChart(chartBox, pick.value, found.alarms.filter((a) => a.device_code === pick.value), body, period);
  pick.addEventListener("change", draw);
  draw();
}

async function drawChart(box, device, alarms, body, period) {
  const th = body.when?.threshold;
  const clearTh = body.clear_when?.threshold;
  if (!th || !window.echarts) {
    clear(box, h("p", { class: "muted", text: t("rules.bt.no_chart") }));
    return;
  }
  const series = await api(`/api/v1/sensing/devices/${encodeURIComponent(device)}/series`, {
    query: { metric: th.metric, from: period.start, to: period.end, points: 1500 },
  });
  chart?.dispose();
  chart = window.echarts.init(box);
  const end = new Date(period.end).getTime();
  const label = (v) => formatTime(new Date(v).toISOString()).slice(5);
  const lines = [{ yAxis: th.value, name: t("rules.threshold"), lineStyle: { color: "#a01818", type: "solid" } }];
  if (clearTh) lines.push({ yAxis: clearTh.value, name: t("rules.clear_threshold"), lineStyle: { color: "#1b6e36", type: "dashed" } });
  chart.setOption({
    animation: false,
    grid: { left: 48, right: 24, top: 36, bottom: 40 },
    tooltip: { trigger: "axis", valueFormatter: (v) => `${v} ${series.unit}` },
    legend: { top: 0, data: [`${device} ${th.metric}`] },
    xAxis: { type: "time", axisLabel: { formatter: label, hideOverlap: true } },
    yAxis: { type: "value", name: series.unit, scale: true },
    series: [{
      name: `${device} ${th.metric}`,
      type: "line",
      showSymbol: false,
      step: "end", // a value holds until the next reading
      data: series.points,
      markArea: {
        silent: true,
        itemStyle: { color: "rgba(160, 24, 24, .14)" },
        data: alarms.map((a) => [{ xAxis: new Date(a.start).getTime(), name: t("rules.bt.alarm") }, { xAxis: a.end ? new Date(a.end).getTime() : end }]),
      },
      markLine: { silent: true, symbol: "none", label: { formatter: "{b} {c}", position: "insideEndTop" }, data: lines },
    }],
  });
  box.dataset.points = String(series.points.length);
  box.dataset.spans = String(alarms.length);
  new ResizeObserver(() => chart?.resize()).observe(box);
}
