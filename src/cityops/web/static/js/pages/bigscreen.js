// 大屏 (/console/bigscreen): the city map dark and full screen for a 1920 × 1080 wall, with the
// day's figures, the firing city vital signs (城市体征), open cases per district, and panels
// that turn every ROTATE_S seconds (top categories today, live alarms, hot issues). Everything
// is read again every REFRESH_S seconds, or at once when the live stream reports a new case or
// a vital sign's change.
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import {
  OPEN, SLA_COLORS, STATE_COLORS, areaDocument, createCityMap, fitAreas, labelAreas, loadCases,
  loadDevices, loaded, paintChoropleth, today,
} from "../citymap/map_core.js";
import { lang, t } from "../i18n.js";
import { startPage } from "../shell.js";

const ROTATE_S = Number(new URLSearchParams(location.search).get("rotate") ?? 12);
const REFRESH_S = 60;
await startPage();
const $ = (id) => document.getElementById(id);
const map = createCityMap($("bs-map"), { theme: "dark", controls: false });
globalThis.cityMap = map;
const echarts = globalThis.echarts;
const charts = { districts: echarts.init($("bs-districts")), categories: echarts.init($("bs-categories")) };

const rowsOf = (answer) => answer.rows.map((r) => Object.fromEntries(answer.fields.map((f, i) => [f, r[i]])));
const sum = (rows, key) => rows.reduce((n, r) => n + (r[key] ?? 0), 0);
const fmt = (n) => n.toLocaleString(lang());
const todayFrom = () => `${today()}T00:00:00+08:00`;

function clock() {
  $("bs-clock").textContent = new Date().toLocaleString(lang(), { timeZone: "Asia/Shanghai", hour12: false });
}

function bars(chart, names, values, color) {
  chart.setOption({
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", show: false },
    yAxis: { type: "category", data: names, inverse: true, axisLabel: { color: "#cfe3ff", fontSize: 20 }, axisLine: { show: false }, axisTick: { show: false } },
    series: [{ type: "bar", data: values, barWidth: 18, itemStyle: { color, borderRadius: 9 },
      label: { show: true, position: "right", color: "#e6edf7", fontSize: 20 } }],
  }, true);
}

let districts = null;
async function figures() {
  const [todayCounts, openCounts, alarmDevices, categories] = await Promise.all([
    api("/api/v1/citymap/area-counts", { query: { level: "district", from: todayFrom() }, background: true }),
    api("/api/v1/citymap/area-counts", { query: { level: "district", status: OPEN }, background: true }),
    api("/api/v1/citymap/devices", { query: { state: "alarm", max_points: 0, zoom: 0 }, background: true }),
    api("/api/v1/citymap/category-counts", { query: { from: todayFrom(), top: 8 }, background: true }),
  ]);
  const open = rowsOf(openCounts);
  $("kpi-today").textContent = fmt(sum(rowsOf(todayCounts), "total"));
  $("kpi-open").textContent = fmt(sum(open, "total"));
  $("kpi-overdue").textContent = fmt(sum(open, "overdue"));
  $("kpi-alarm").textContent = fmt(alarmDevices.total);
  const names = new Map((districts?.features ?? []).map((f) => [f.properties.code, f.properties.name]));
  const top = open.sort((a, b) => b.total - a.total).slice(0, 8);
  bars(charts.districts, top.map((r) => names.get(r.code) ?? r.code), top.map((r) => r.total), "#3b82f6");
  const cats = rowsOf(categories);
  bars(charts.categories, cats.map((r) => r.name), cats.map((r) => r.total), "#f97316");
  if (districts) paintChoropleth(map, districts, openCounts, "total");
}

async function alarms() {
  try {
    const page = await api("/api/v1/alarms", { query: { active: true, limit: 8 }, background: true });
    const items = page.items ?? [];
    clear($("bs-alarms"), items.length
      ? items.map((a) => h("li", {}, h("span", { text: a.title ?? a.device_code ?? "" }), h("span", { class: "sev", text: t(`severity.${a.severity}`) })))
      : [h("li", { text: t("bigscreen.none") })]);
  } catch {
    clear($("bs-alarms"), [h("li", { text: t("bigscreen.none") })]);
  }
}

async function hot() {
  try {
    const page = await api("/api/v1/insight/hot-issues", { query: { days: 7, top: 6 }, background: true });
    clear($("bs-hot"), page.issues.length
      ? page.issues.map((i) => h("li", {}, h("span", { text: i.title }), h("span", { text: String(i.count) })))
      : [h("li", { text: t("bigscreen.none") })]);
  } catch {
    clear($("bs-hot"), [h("li", { text: t("bigscreen.none") })]);
  }
}

// 城市体征: the firing indicators of the city, worst level first (a few: the wall is for a glance)
const VITAL_RANK = { red: 4, orange: 3, yellow: 2, blue: 1 };
const VITALS_SHOWN = 4;
async function vitals() {
  let firing = [];
  try {
    const board = await api("/api/v1/vitals", { background: true });
    firing = board.items.filter((v) => v.status === "firing")
      .sort((a, b) => (VITAL_RANK[b.level] ?? 0) - (VITAL_RANK[a.level] ?? 0));
  } catch {
    /* no vitals for this user or none computed: the panel says none */
  }
  const name = (v) => (lang() === "en" ? v.name_en || v.name_zh : v.name_zh);
  // a rate stored as a fraction ("ratio") in per cent, as on the 城市体征 page
  const ratio = (v) => v.unit === "ratio";
  const value = (v) => (v.value === null ? "—"
    : ratio(v) ? (v.value * 100).toFixed(Math.max(0, v.precision - 2)) : v.value.toFixed(v.precision));
  const unit = (v) => (ratio(v) ? "%" : v.unit);
  const shown = firing.slice(0, VITALS_SHOWN).map((v) => h("li", { class: `lv-${v.level}` },
    h("span", { class: "bs-vital-name", text: name(v) }),
    h("span", { class: "bs-vital-value", text: `${value(v)}${unit(v) ? ` ${unit(v)}` : ""}` })));
  if (firing.length > VITALS_SHOWN) shown.push(h("li", { class: "bs-vital-more", text: `+${firing.length - VITALS_SHOWN}` }));
  clear($("bs-vitals"), shown.length ? shown : [h("li", { text: t("bigscreen.vitals_none") })]);
}

async function mapData() {
  await Promise.all([loadCases(map, { status: OPEN }), loadDevices(map)]);
}

async function refresh() {
  await Promise.allSettled([figures(), alarms(), hot(), vitals(), mapData()]);
}

// the turning panels
const slides = [...$("bs-rotating").querySelectorAll("[data-slide]")];
let current = 0;
function show(i) {
  current = i % slides.length;
  slides.forEach((s, k) => { s.hidden = k !== current; });
  clear($("bs-dots"), slides.map((_, k) => h("span", { class: k === current ? "on" : "" })));
  if (slides[current].dataset.slide === "categories") charts.categories.resize();
  document.body.dataset.slide = slides[current].dataset.slide;
}

function legend() {
  clear($("bs-legend"), [
    ...["red", "yellow", "green"].map((k) => h("span", {}, h("i", { style: `background:${SLA_COLORS[k]}` }), t(`sla.${k}`))),
    ...["alarm", "online", "offline"].map((k) => h("span", {}, h("i", { style: `background:${STATE_COLORS[k]}` }), t(`citymap.state_${k}`))),
  ]);
}

await loaded(map);
districts = await areaDocument("district");
map.getSource("areas").setData(districts);
map.getSource("grids").setData(await areaDocument("street"));
fitAreas(map, districts, { top: 100, bottom: 80, left: 500, right: 500 });
labelAreas(map, districts);
legend();
show(0);
clock();
await refresh();
document.body.dataset.ready = "1";
setInterval(clock, 1000);
setInterval(() => show(current + 1), ROTATE_S * 1000);
setInterval(refresh, REFRESH_S * 1000);
map.on("moveend", () => { mapData(); });
try {
  const { openEvents } = await import("../events.js");
  const stream = openEvents({ topics: ["case", "insight.vital_"] });
  let pending = null;
  const later = () => { clearTimeout(pending); pending = setTimeout(() => { figures(); mapData(); }, 1000); };
  for (const name of ["case.reported", "case.closed", "case.overdue", "reset"]) stream.on(name, later);
  let vitalsPending = null;
  const vitalsSoon = () => { clearTimeout(vitalsPending); vitalsPending = setTimeout(vitals, 500); };
  for (const name of ["insight.vital_changed", "reset"]) stream.on(name, vitalsSoon);
} catch {
  /* no live stream: the minute's refresh stands */
}
