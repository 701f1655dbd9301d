// 城市体征 (/console/vitals): every indicator of an area as a tile grouped by category, coloured
// by its alert level (蓝/黄/橙/红, grey without data) with its status in words; a tile opens the
// indicator's detail in the page (trend with threshold lines and baselines, child areas worst
// first with drill-down down to the indicator's finest level, transitions). The state lives in
// the URL (?area=…&vital=…&at=…&window=…) so a view can be linked; the live event stream
// (insight.vital_changed) refreshes the tile that changed without a reload.
import { api } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { openEvents } from "../events.js";
import { lang, onLangChange, t } from "../i18n.js";
import { startPage } from "../shell.js";

const CATEGORIES = ["weather_environment", "traffic", "supply", "safety_lifeline", "city_order", "public_appeals", "facilities"];
const LEVELS = ["blue", "yellow", "orange", "red"];
const COLORS = { blue: "#1d6fd9", yellow: "#e8b800", orange: "#f07800", red: "#d62828", normal: "#4caf6d", none: "#9aa4b1" };
const WINDOWS = { "24h": 0, "7d": 7 * 86400e3, "30d": 30 * 86400e3, "1y": 365 * 86400e3 };
const BASELINE_COLORS = { year_on_year: "#7b5ea7", period_on_period: "#8a94a6", same_hour_last_week: "#2a9d8f" };

await startPage();
const $ = (id) => document.getElementById(id);
const boardBox = $("vt-board");
const groupsBox = $("vt-groups");
const detailBox = $("vt-detail");
const districtSelect = $("vt-district");
const streetSelect = $("vt-street");
const chartBox = $("vt-chart");

let board = null; // the last VitalBoard
let detail = null; // {trend, areas}
let chart = null;
let edges = null; // {plan, v, trend} of the chart shown: its edge labels are placed again on resize
let serverNow = null; // {end: ms of the server's last trend end, seen: Date.now() then}
let districts = [];
let rootDistrict = null; // the district the areas stop at, when no city lies above it
const streets = new Map(); // district code → [{code, name}]
let streamState = "connecting";

// --- state in the URL ----------------------------------------------------------------------

function state() {
  const q = new URLSearchParams(location.search);
  return {
    area: q.get("area") || "",
    vital: q.get("vital") || "",
    at: q.get("at") || "",
    window: WINDOWS[q.get("window")] !== undefined ? q.get("window") : "24h",
  };
}

function go(changes, { replace = false } = {}) {
  const next = { ...state(), ...changes };
  const q = new URLSearchParams();
  for (const key of ["area", "vital", "at", "window"]) {
    if (next[key] && !(key === "window" && next[key] === "24h")) q.set(key, next[key]);
  }
  const url = `${location.pathname}${q.size ? `?${q}` : ""}`;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  return show();
}

// --- formatting ----------------------------------------------------------------------------

const name = (v) => (lang() === "en" ? v.name_en || v.name_zh : v.name_zh || v.name_en);
const levelClass = (v) => {
  if (v.value === null || v.value === undefined || v.status === "no_data" || v.status === "unevaluated") return "lv-none";
  return v.level && (v.status === "pending" || v.status === "firing") ? `lv-${v.level}` : "lv-normal";
};

function number(value, precision) {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString(lang(), { minimumFractionDigits: precision, maximumFractionDigits: precision });
}

/** Rates stored as fractions ("ratio") are shown in per cent. */
function scaleOf(v) {
  return v.unit === "ratio" ? { k: 100, unit: "%", precision: Math.max(0, v.precision - 2) } : { k: 1, unit: v.unit, precision: v.precision };
}

function valueText(v, value = v.value) {
  const s = scaleOf(v);
  return value === null || value === undefined ? "—" : number(value * s.k, s.precision);
}

function unit(v) {
  const text = scaleOf(v).unit;
  return text ? h("small", { text }) : null;
}

function badge(v) {
  if ((v.value === null || v.value === undefined) && v.status === "normal") {
    return h("span", { class: "vt-badge", text: t("vitals.status.no_data") });
  }
  if (v.status === "pending" || v.status === "firing") {
    const word = `${t(`vitals.level.${v.level}`)} · ${t(`vitals.status.${v.status}`)}`;
    return h("span", { class: `vt-badge ${v.status}`, text: word });
  }
  return h("span", { class: "vt-badge", text: t(`vitals.status.${v.status}`) });
}

function categoryName(code, zh) {
  return lang() === "en" ? t(`vitals.category.${code}`) : zh || t(`vitals.category.${code}`);
}

// --- the board -----------------------------------------------------------------------------

function tile(v) {
  return h("button", {
    type: "button",
    class: `vt-tile ${levelClass(v)}`,
    dataset: { code: v.code, status: v.status, level: v.level ?? "" },
    "aria-label": `${name(v)}: ${valueText(v)} ${scaleOf(v).unit}, ${t(`vitals.status.${v.status}`)}${v.level ? ` ${t(`vitals.level.${v.level}`)}` : ""}`,
    onclick: () => go({ vital: v.code, at: "" }),
  },
  h("span", { class: "vt-tile-name", text: name(v) }),
  h("span", { class: "vt-tile-value" }, valueText(v), unit(v)),
  h("span", { class: "vt-tile-foot" }, badge(v), h("span", { text: v.evaluated_at ? formatTime(v.evaluated_at).slice(11) : "" })));
}

function renderBoard() {
  if (!board) return;
  const groups = new Map();
  for (const v of board.items) {
    if (!groups.has(v.category)) groups.set(v.category, { zh: v.category_zh, items: [] });
    groups.get(v.category).items.push(v);
  }
  const order = [...CATEGORIES.filter((c) => groups.has(c)), ...[...groups.keys()].filter((c) => !CATEGORIES.includes(c))];
  const firing = board.items.filter((v) => v.status === "firing").length;
  $("vt-board-note").textContent = t("vitals.board_note", {
    area: board.area_name, count: board.items.length, firing, version: board.version,
  });
  clear(groupsBox, board.items.length
    ? order.map((c) => {
      const g = groups.get(c);
      return h("section", { class: "vt-group", "aria-label": categoryName(c, g.zh) },
        h("h3", {}, categoryName(c, g.zh), h("span", { class: "muted", text: `(${g.items.length})` })),
        h("div", { class: "vt-tiles" }, g.items.map(tile)));
    })
    : h("p", { class: "muted", text: t("vitals.empty") }));
}

function renderLegend() {
  clear($("vt-legend"),
    ...LEVELS.map((l) => h("span", { class: `lv-${l}` }, h("i"), t(`vitals.level.${l}`))),
    h("span", { class: "lv-normal" }, h("i"), t("vitals.status.normal")),
    h("span", { class: "lv-none" }, h("i"), t("vitals.status.no_data")));
}

async function loadBoard({ background = false } = {}) {
  board = await api("/api/v1/vitals", { query: { area: state().area }, background });
  renderBoard();
}

/** Replace the tiles whose value or state changed since the last board (the live path). */
async function refreshTiles(codes) {
  const fresh = await api("/api/v1/vitals", { query: { area: state().area }, background: true });
  const before = new Map((board?.items ?? []).map((v) => [v.code, v]));
  board = fresh;
  for (const v of fresh.items) {
    const old = before.get(v.code);
    const changed = !old || old.value !== v.value || old.status !== v.status || old.level !== v.level;
    if (!changed && !codes.has(v.code)) continue;
    const el = groupsBox.querySelector(`.vt-tile[data-code="${CSS.escape(v.code)}"]`);
    if (!el) {
      renderBoard();
      return;
    }
    const next = tile(v);
    next.classList.add("fresh");
    el.replaceWith(next);
  }
  const firing = fresh.items.filter((v) => v.status === "firing").length;
  $("vt-board-note").textContent = t("vitals.board_note", {
    area: fresh.area_name, count: fresh.items.length, firing, version: fresh.version,
  });
}

// --- the area picker -----------------------------------------------------------------------

async function areaList(query) {
  const found = await api("/api/v1/areas", { query });
  return found.features.map((f) => ({ code: f.properties.code, name: f.properties.name, parent: f.properties.parent_code ?? null }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

async function streetsOf(district) {
  if (!streets.has(district)) streets.set(district, await areaList({ parent: district }));
  return streets.get(district);
}

async function fillPicker() {
  const area = state().area;
  const chosen = districts.find((d) => area.startsWith(d.code))?.code ?? "";
  clear(districtSelect, h("option", { value: "", text: t("vitals.whole_city") }),
    districts.map((d) => h("option", { value: d.code, text: d.name })));
  districtSelect.value = chosen;
  districtSelect.disabled = !districts.length;
  // where the areas stop at a district, the whole city is that district: its streets at once
  const district = chosen || rootDistrict || "";
  const list = district ? await streetsOf(district) : [];
  clear(streetSelect, h("option", { value: "", text: t("vitals.whole_district") }),
    list.map((s) => h("option", { value: s.code, text: s.name })));
  streetSelect.disabled = !district;
  streetSelect.value = list.some((s) => s.code === area) ? area : "";
}

districtSelect.addEventListener("change", () => go({ area: districtSelect.value, vital: "", at: "" }));
streetSelect.addEventListener("change", () => go({ area: streetSelect.value || districtSelect.value, vital: "", at: "" }));

// --- the detail ----------------------------------------------------------------------------

function estimatedNow() {
  return serverNow ? serverNow.end + (Date.now() - serverNow.seen) : null;
}

async function loadTrend(code, area, win) {
  const query = { area };
  if (WINDOWS[win] && estimatedNow() === null) {
    // the window ends at the server's now, which the default window tells
    const first = await api(`/api/v1/vitals/${encodeURIComponent(code)}/trend`, { query });
    serverNow = { end: Date.parse(first.end), seen: Date.now() };
  }
  if (WINDOWS[win]) query.from = new Date(estimatedNow() - WINDOWS[win]).toISOString();
  const trend = await api(`/api/v1/vitals/${encodeURIComponent(code)}/trend`, { query });
  if (!WINDOWS[win]) serverNow = { end: Date.parse(trend.end), seen: Date.now() };
  return trend;
}

async function loadDetail() {
  const s = state();
  const trend = await loadTrend(s.vital, s.at || s.area, s.window);
  const current = trend.current;
  const finest = current.levels[current.levels.length - 1];
  let areas = null;
  if (current.area_level !== finest) {
    areas = await api(`/api/v1/vitals/${encodeURIComponent(s.vital)}/areas`, { query: { parent: current.area_code } });
  }
  detail = { trend, areas };
  renderDetail();
}

function renderDetail() {
  if (!detail) return;
  const { trend, areas } = detail;
  const v = trend.current;
  $("vt-detail-title").textContent = `${name(v)} · ${v.area_name}`;
  const rule = v.direction === "higher_is_better" ? t("vitals.better_higher") : t("vitals.better_lower");
  $("vt-detail-meta").textContent = `${categoryName(v.category, v.category_zh)} · ${rule} · ${t("vitals.refresh", { minutes: Math.round(v.refresh_seconds / 60) })}`;
  clear($("vt-detail-now"), h("div", { class: `${levelClass(v)}` },
    h("div", { class: "vt-tile-value" }, valueText(v), unit(v)), badge(v)));
  renderCrumbs(v, areas);
  for (const button of document.querySelectorAll("[data-window]")) {
    button.setAttribute("aria-pressed", String(button.dataset.window === state().window));
  }
  renderChart(trend);
  renderAreas(v, areas);
  renderTransitions(trend);
}

let lastChain = []; // the breadcrumbs last shown: a finest-level area keeps its parents' trail
function renderCrumbs(v, areas) {
  let chain = areas
    ? areas.chain.map((c) => ({ code: c.code, name: c.name }))
    : lastChain.filter((c, i) => i === 0 || v.area_code.startsWith(c.code));
  if (!chain.length || chain[chain.length - 1].code !== v.area_code) {
    chain = [...chain.filter((c) => c.code !== v.area_code), { code: v.area_code, name: v.area_name }];
  }
  lastChain = chain;
  const items = chain.map((c, i) => h("li", {}, i === chain.length - 1
    ? h("span", { "aria-current": "page", text: c.name })
    : h("button", { type: "button", text: c.name, onclick: () => go({ at: c.code }) })));
  clear($("vt-crumbs"), h("ol", {}, items));
}

/** Round axis bounds holding lo … hi and a margin. */
function niceBounds(lo, hi) {
  const span = hi - lo || Math.abs(hi) || 1;
  const step = 10 ** Math.floor(Math.log10(span)) / 2;
  const low = Math.floor((lo - span * 0.05) / step) * step;
  return [lo >= 0 ? Math.max(0, low) : low, Math.ceil((hi + span * 0.05) / step) * step];
}

/** The y axis of a trend: its values and its baselines' (a bucket's low and high too) with a
 * margin, and the nearest threshold beyond them on the bad side (above where higher is worse,
 * below where higher is better), so the next level is in sight — when it lies within twice the
 * values' range of them (at least a tenth of their size), else it too would squash the line to
 * the floor. Thresholds left out of the axis are listed at the edge they lie beyond (`above`,
 * `below`, nearest first). A rate (per cent) stops at 100. With no value every threshold is in. */
function axisPlan(trend, v, k) {
  const values = [];
  for (const p of [...trend.points, ...Object.values(trend.baselines).flat()]) {
    for (const x of [p.value, p.low, p.high]) if (x !== null && x !== undefined) values.push(x * k);
  }
  const marks = v.thresholds.map((th) => ({ level: th.level, value: th.value, y: th.value * k }));
  let lo;
  let hi;
  if (values.length) {
    lo = Math.min(...values);
    hi = Math.max(...values);
    const scale = Math.max(hi - lo, 0.1 * Math.max(Math.abs(lo), Math.abs(hi)));
    const reach = scale > 0 ? 2 * scale : Infinity;
    if (v.direction === "higher_is_better") {
      const next = marks.filter((m) => m.y < lo).map((m) => m.y);
      if (next.length && lo - Math.max(...next) <= reach) lo = Math.max(...next);
    } else {
      const next = marks.filter((m) => m.y > hi).map((m) => m.y);
      if (next.length && Math.min(...next) - hi <= reach) hi = Math.min(...next);
    }
  } else if (marks.length) {
    lo = Math.min(...marks.map((m) => m.y));
    hi = Math.max(...marks.map((m) => m.y));
  } else {
    return { min: undefined, max: undefined, inside: [], above: [], below: [] };
  }
  let [min, max] = niceBounds(lo, hi);
  // a row of room at an edge that gets a label, so the label does not sit on the line
  const room = (max - min) * 0.12;
  if (marks.some((m) => m.y > max)) max = niceBounds(min, max + room)[1];
  if (marks.some((m) => m.y < min)) min = niceBounds(min - room, max)[0];
  if (v.unit === "ratio" && hi <= 100) max = Math.min(max, 100);
  return {
    min,
    max,
    inside: marks.filter((m) => m.y >= min && m.y <= max),
    above: marks.filter((m) => m.y > max).sort((a, b) => a.y - b.y),
    below: marks.filter((m) => m.y < min).sort((a, b) => b.y - a.y),
  };
}

const levelInk = (level) => (COLORS[level] === COLORS.yellow ? "#735400" : COLORS[level]);

/** The labels of the thresholds beyond the axis ("红色 20,000 ↑"), one line inside the plot at
 * the edge they lie beyond, nearest first, each in its level's colour, on the side away from the
 * label of the threshold line nearest that edge; placed from the laid-out chart (again on
 * resize). */
function placeEdgeLabels() {
  if (!chart || !edges) return;
  const { plan, v, trend } = edges;
  if (!plan.above.length && !plan.below.length) return;
  const [left, right] = [trend.start, trend.end].map((at) => chart.convertToPixel({ xAxisIndex: 0 }, Date.parse(at)));
  const [top, bottom] = [plan.max, plan.min].map((y) => chart.convertToPixel({ yAxisIndex: 0 }, y));
  const lineSide = (m) => (plan.inside.indexOf(m) % 2 ? "start" : "end");
  const sideFor = (nearest) => (nearest && lineSide(nearest) === "start" ? "end" : "start");
  const rich = Object.fromEntries(LEVELS.map((level) => [level, { fill: levelInk(level), font: "600 12px sans-serif" }]));
  rich.gap = { font: "12px sans-serif" };
  const label = (marks, up, side) => ({
    type: "text",
    id: up ? "edge-above" : "edge-below",
    silent: true,
    z: 10,
    x: side === "start" ? left + 6 : right - 6,
    y: up ? top + 4 : bottom - 4,
    style: {
      // the words go in as text: a rich segment ends at "}", which no level name or number has
      text: marks.map((m) => `{${m.level}|${t(`vitals.level.${m.level}`)} ${valueText(v, m.value)} ${up ? "↑" : "↓"}}`).join("{gap|\u2003}"),
      rich,
      align: side === "start" ? "left" : "right",
      verticalAlign: up ? "top" : "bottom",
      backgroundColor: "rgba(255, 255, 255, 0.85)",
      padding: [1, 3],
    },
  });
  const elements = [];
  if (plan.above.length) elements.push(label(plan.above, true, sideFor(plan.inside[plan.inside.length - 1])));
  if (plan.below.length) elements.push(label(plan.below, false, sideFor(plan.inside[0])));
  chart.setOption({ graphic: { elements } }, { replaceMerge: ["graphic"] });
}

function series(points, k) {
  return points.map((p) => [p.at, p.value === null ? null : p.value * k]);
}

/** A long window comes as buckets (mean, low, high): the low…high range as a shaded band, two
 * stacked lines with nothing drawn but the area between them (the peaks a mean hides). */
function band(points, k, color) {
  if (!points.some((p) => p.low !== null && p.low !== undefined)) return [];
  const gap = (p) => p.low === null || p.low === undefined || p.high === null || p.high === undefined;
  const common = { type: "line", stack: "vt-band", showSymbol: false, silent: true, connectNulls: false, lineStyle: { opacity: 0 }, z: 1 };
  return [
    { ...common, id: "band-low", data: points.map((p) => [p.at, gap(p) ? null : p.low * k]) },
    { ...common, id: "band-high", data: points.map((p) => [p.at, gap(p) ? null : (p.high - p.low) * k]), areaStyle: { color, opacity: 0.18 } },
  ];
}

/** The tooltip of the axis: each line's value, and a bucket's low – high after the mean. */
function tooltipText(items, trend, k, shownUnit, precision) {
  const shown = items.filter((i) => !String(i.seriesId).startsWith("band-"));
  if (!shown.length) return "";
  const fmt = (x) => (x === null || x === undefined ? "—" : `${number(x, precision)} ${shownUnit}`);
  const dot = (color) => h("span", { style: `display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;background:${color}` });
  const rows = shown.map((i) => {
    let text = `${i.seriesName}: ${fmt(i.value?.[1])}`;
    const p = i.seriesIndex === 0 ? trend.points[i.dataIndex] : null;
    if (p && p.low !== null && p.low !== undefined) text += ` (${number(p.low * k, precision)} – ${number(p.high * k, precision)})`;
    return h("div", {}, dot(i.color), text);
  });
  // built as elements: names and values land as text, never as markup
  return h("div", {}, h("div", { text: formatTime(shown[0].axisValue) }), ...rows).outerHTML;
}

function renderChart(trend) {
  if (!window.echarts) {
    clear(chartBox, h("p", { class: "muted", text: t("vitals.no_chart") }));
    return;
  }
  chart ??= window.echarts.init(chartBox);
  const v = trend.current;
  const { k, unit: shownUnit } = scaleOf(v);
  const plan = axisPlan(trend, v, k);
  // labels at alternate ends, so close thresholds do not write over each other
  const lines = plan.inside.map((m, i) => ({
    name: t(`vitals.level.${m.level}`),
    yAxis: m.y,
    lineStyle: { color: COLORS[m.level], type: "solid", width: 1.5 },
    label: { formatter: `${t(`vitals.level.${m.level}`)} ${valueText(v, m.value)}`, color: levelInk(m.level), position: i % 2 ? "insideStartTop" : "insideEndTop" },
  }));
  const narrow = chartBox.clientWidth < 500;
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", formatter: (items) => tooltipText(items, trend, k, shownUnit, scaleOf(v).precision) },
    legend: { type: "scroll", top: 0, data: [name(v), ...Object.keys(trend.baselines).map((key) => t(`vitals.baseline.${key}`))] },
    // on a phone the legend spans the width: the unit above the axis goes below it
    grid: { left: 8, right: narrow ? 12 : 24, top: narrow ? 52 : 36, bottom: 8, containLabel: true },
    xAxis: { type: "time", min: trend.start, max: trend.end, axisLabel: { hideOverlap: true } },
    yAxis: {
      type: "value",
      name: shownUnit,
      scale: true,
      min: plan.min,
      max: plan.max,
    },
    series: [
      {
        name: name(v),
        type: "line",
        showSymbol: trend.points.length < 60,
        connectNulls: false,
        data: series(trend.points, k),
        lineStyle: { width: 2.5, color: "#0b4f8a" },
        itemStyle: { color: "#0b4f8a" },
        markLine: { symbol: "none", silent: true, data: lines },
      },
      ...band(trend.points, k, "#0b4f8a"),
      ...Object.entries(trend.baselines).map(([key, points]) => ({
        name: t(`vitals.baseline.${key}`),
        type: "line",
        showSymbol: false,
        connectNulls: false,
        data: series(points, k),
        lineStyle: { type: "dashed", width: 1.5, color: BASELINE_COLORS[key] ?? "#8a94a6" },
        itemStyle: { color: BASELINE_COLORS[key] ?? "#8a94a6" },
      })),
    ],
  }, true);
  chart.resize();
  edges = { plan, v, trend };
  placeEdgeLabels();
}

function resizeChart() {
  chart?.resize();
  placeEdgeLabels();
}

function renderAreas(v, areas) {
  const box = $("vt-areas");
  if (!areas) {
    clear(box, h("p", { class: "muted", text: t("vitals.finest", { level: t(`level.${v.area_level}`) }) }));
    return;
  }
  const finest = v.levels[v.levels.length - 1];
  const rows = areas.items.map((a) => {
    const cls = levelClass(a);
    const canDrill = a.area_level !== finest;
    return h("tr", { class: cls, dataset: { level: a.level ?? "none", area: a.area_code } },
      h("th", { scope: "row" }, h("button", { type: "button", class: "link", text: a.area_name, title: canDrill ? t("vitals.drill") : t("vitals.open_area"), onclick: () => go({ at: a.area_code }) })),
      h("td", { class: "num strong lv-cell" }, valueText(a), scaleOf(a).unit ? ` ${scaleOf(a).unit}` : ""),
      h("td", {}, badge(a)),
      h("td", { class: "nowrap muted col-since", text: formatTime(a.since) }));
  });
  const head = h("tr", {},
    h("th", { scope: "col", text: t(`level.${areas.level}`) }),
    h("th", { scope: "col", class: "num", text: t("vitals.value") }),
    h("th", { scope: "col", text: t("vitals.state") }),
    h("th", { scope: "col", class: "col-since", text: t("vitals.since") }));
  clear(box, rows.length
    ? h("table", { class: "table vt-areas-table" }, h("caption", { text: t("vitals.children_caption", { parent: areas.parent_name, level: t(`level.${areas.level}`) }) }), h("thead", {}, head), h("tbody", {}, rows))
    : h("p", { class: "muted", text: t("vitals.no_children") }));
}

function stateWord(status, level) {
  return level && (status === "pending" || status === "firing") ? `${t(`vitals.level.${level}`)} ${t(`vitals.status.${status}`)}` : t(`vitals.status.${status}`);
}

function renderTransitions(trend) {
  const v = trend.current;
  const list = [...trend.transitions].reverse();
  clear($("vt-transitions"), list.length
    ? h("ol", { class: "vt-trans" }, list.map((x) => h("li", {},
      h("time", { datetime: x.at, text: formatTime(x.at) }),
      h("span", { class: `vt-badge ${x.from_level ? `lv-${x.from_level}` : "lv-none"}`, text: stateWord(x.from_status, x.from_level) }),
      "→",
      h("span", { class: `vt-badge ${x.to_status} ${x.to_level ? `lv-${x.to_level}` : "lv-normal"}`, text: stateWord(x.to_status, x.to_level) }),
      h("span", { class: "muted", text: `${valueText(v, x.value)} ${scaleOf(v).unit}` }))))
    : h("p", { class: "muted", text: t("vitals.no_transitions") }));
}

for (const button of document.querySelectorAll("[data-window]")) {
  button.addEventListener("click", () => go({ window: button.dataset.window }, { replace: true }));
}
$("vt-back").addEventListener("click", () => go({ vital: "", at: "" }));

// --- putting it together -------------------------------------------------------------------

let shownArea = null;
async function show() {
  const s = state();
  try {
    if (shownArea !== s.area || !board) {
      shownArea = s.area;
      await Promise.all([loadBoard(), fillPicker()]);
    }
    detailBox.hidden = !s.vital;
    boardBox.hidden = Boolean(s.vital);
    if (s.vital) {
      await loadDetail();
      window.scrollTo({ top: 0 });
    } else {
      detail = null;
    }
    document.body.dataset.ready = "1";
  } catch (err) {
    flash(err.message, "error");
  }
}

function renderLive() {
  const mark = $("vt-live");
  const live = streamState === "live";
  mark.dataset.status = live ? "live" : "polling";
  clear(mark, h("span", { class: "live-dot", "aria-hidden": "true" }), t(live ? "vitals.live" : "vitals.not_live"));
}

// live: one read per burst of changes; the tile (and the open detail) of what changed
let pendingCodes = new Set();
let timer = null;
function changed(data) {
  if (data?.indicator) pendingCodes.add(data.indicator);
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const codes = pendingCodes;
    pendingCodes = new Set();
    try {
      await refreshTiles(codes);
      const s = state();
      if (s.vital && (codes.has(s.vital) || !codes.size)) await loadDetail();
    } catch {
      /* the next event or the minute's poll tries again */
    }
  }, 300);
}

window.addEventListener("popstate", () => show());
window.addEventListener("resize", resizeChart);
onLangChange(() => {
  renderLegend();
  renderBoard();
  renderDetail();
  renderLive();
  fillPicker();
});

renderLegend();
try {
  const all = await areaList({ level: "district" });
  // a district with nothing above it is the root (the whole city): not a choice below it
  rootDistrict = all.length === 1 && !all[0].parent ? all[0].code : null;
  districts = all.filter((d) => d.code !== rootDistrict);
} catch {
  districts = [];
}
await show();
const stream = openEvents({ topics: ["insight.vital_"] });
stream.on("insight.vital_changed", changed);
stream.on("reset", () => changed(null));
stream.onStatus((next) => {
  const back = next === "live" && streamState !== "live";
  streamState = next;
  renderLive();
  if (back && board) changed(null);
});
setInterval(() => {
  if (!document.hidden && streamState !== "live") changed(null);
}, 60_000);
