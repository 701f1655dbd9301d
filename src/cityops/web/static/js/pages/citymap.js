// 一图观全域 (/console/citymap): the leader's map — area polygons as the basemap (or the tiles a
// setting names), case clusters or points coloured by SLA or status, a heatmap, devices by
// state, key sites (重点场所) by kind, a choropleth of case counts per area, filters and a time
// slider that replays a day hour by hour (all filtered server-side).
import { api } from "../api.js";
import { clear, flash, h } from "../dom.js";
import { KEY_SITE_KINDS, keySiteMark } from "../citymap/key_sites.js";
import {
  OPEN, SLA_COLORS, STATE_COLORS, STATUS_COLORS, areaDocument, createCityMap,
  dayWindow, fitAreas, labelAreas, loadCases, loadDevices, loadKeySites, loaded, paintChoropleth, popup,
  setVisible, today,
} from "../citymap/map_core.js";
import { onLangChange, t, tOr } from "../i18n.js";
import { startPage } from "../shell.js";

await startPage();
const map = createCityMap(document.getElementById("citymap"));
globalThis.cityMap = map; // for tests and the console
const $ = (id) => document.getElementById(id);
const form = $("cm-filters");
let areas = null;
let areaLevel = null;
let unlabel = () => {};
let siteKinds = []; // [{kind, count}] of the key sites the reader sees (the legend's)
const layerOn = (name) => $("cm-layers").querySelector(`[data-layer="${name}"]`).checked;

function filters() {
  const out = {};
  const status = $("cm-status").value;
  if (status === "open") out.status = OPEN;
  else if (status) out.status = status;
  if ($("cm-category").value.trim()) out.category = $("cm-category").value.trim();
  if ($("cm-source").value) out.source = $("cm-source").value;
  const most = new URLSearchParams(location.search).get("max_points"); // single points up to this many
  if (most) out.max_points = most;
  if ($("cm-replay-on").checked) Object.assign(out, dayWindow($("cm-day").value || today(), Number($("cm-hour").value)));
  return out;
}

function legend() {
  const items = $("cm-color").value === "status"
    ? Object.entries(STATUS_COLORS).map(([k, c]) => [c, t(`status.${k}`)])
    : ["red", "yellow", "green", "none"].map((k) => [SLA_COLORS[k], t(`sla.${k}`)]);
  const devices = Object.entries(STATE_COLORS).map(([k, c]) => [c, t(`citymap.state_${k}`)]);
  clear($("cm-legend"), [
    h("li", { class: "legend-head", text: t("citymap.layer_cases") }),
    ...items.map(([c, label]) => h("li", {}, h("span", { class: "dot", style: `background:${c}` }), label)),
    h("li", { class: "legend-head", text: t("citymap.layer_devices") }),
    ...devices.map(([c, label]) => h("li", {}, h("span", { class: "dot dot-ring", style: `background:${c}` }), label)),
    h("li", { class: "muted small", text: t("citymap.legend_cells") }),
    ...(layerOn("keysites") ? [
      h("li", { class: "legend-head", text: t("citymap.layer_keysites") }),
      ...(siteKinds.length
        ? siteKinds.map(({ kind, count }) => h("li", { "data-kind": kind }, keySiteMark(kind), `${kindName(kind)} ${count}`))
        : [h("li", { class: "muted small", text: t("citymap.keysites_none") })]),
    ] : []),
  ]);
}

const kindName = (kind) => tOr(`keysite.${kind}`, kind);

async function refreshKeySites() {
  if (!layerOn("keysites")) return;
  const answer = await loadKeySites(map);
  siteKinds = [...answer.kinds].sort((a, b) => order(a.kind) - order(b.kind));
  document.body.dataset.keysites = String(answer.total); // the view's key sites are drawn
  legend();
}
const order = (kind) => {
  const i = Object.keys(KEY_SITE_KINDS).indexOf(kind);
  return i < 0 ? 99 : i;
};

let seq = 0;
async function refresh() {
  const mine = ++seq;
  try {
    const f = filters();
    const [cases] = await Promise.all([
      loadCases(map, f, { colorBy: $("cm-color").value }),
      layerOn("devices") ? loadDevices(map) : null,
      refreshKeySites(),
    ]);
    if (mine !== seq) return;
    document.body.dataset.drawn = String(mine); // the view's cases are on the map
    $("cm-count").textContent = t(cases.mode === "cells" ? "citymap.count_cells" : "citymap.count_points", {
      total: cases.total, shown: cases.rows.length,
    });
  } catch (err) {
    flash(err.message, "error");
  }
}

async function refreshAreas() {
  const level = $("cm-level").value;
  if (level !== areaLevel) {
    areas = await areaDocument(level);
    areaLevel = level;
    unlabel();
    unlabel = level === "community" ? () => {} : labelAreas(map, areas);
    const grids = await areaDocument("grid");
    map.getSource("grids").setData(grids);
  }
  const metric = $("cm-metric").value;
  const f = filters();
  delete f.max_points;
  const counts = await api("/api/v1/citymap/area-counts", { query: { ...f, level } });
  paintChoropleth(map, areas, counts, metric);
  return areas;
}

let timer = null;
function soon() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 200);
}

await loaded(map);
for (const box of $("cm-layers").querySelectorAll("[data-layer]")) setVisible(map, box.dataset.layer, box.checked);
const first = await refreshAreas();
fitAreas(map, first);
await refresh();
legend();
document.body.dataset.ready = "1";

map.on("moveend", soon);
form.addEventListener("change", () => { refresh(); refreshAreas(); legend(); });
form.addEventListener("submit", (e) => e.preventDefault());
$("cm-level").addEventListener("change", refreshAreas);
$("cm-metric").addEventListener("change", refreshAreas);
$("cm-hour").addEventListener("input", () => {
  $("cm-hour-out").textContent = `${String($("cm-hour").value).padStart(2, "0")}:00`;
});
$("cm-day").value = today();
for (const box of $("cm-layers").querySelectorAll("[data-layer]")) {
  box.addEventListener("change", () => {
    setVisible(map, box.dataset.layer, box.checked);
    if (box.dataset.layer === "devices" && box.checked) loadDevices(map);
    if (box.dataset.layer === "keysites") {
      if (box.checked) refreshKeySites().catch((err) => flash(err.message, "error"));
      else legend();
    }
  });
}

// the replay: one hour a step, every 1.5 s, from 01:00 to 24:00
let playing = null;
$("cm-play").addEventListener("click", () => {
  if (playing) { clearInterval(playing); playing = null; $("cm-play").textContent = t("citymap.play"); return; }
  $("cm-replay-on").checked = true;
  $("cm-hour").value = 1;
  $("cm-play").textContent = t("citymap.stop");
  const step = () => {
    $("cm-hour").dispatchEvent(new Event("input"));
    refresh();
    refreshAreas();
    if (Number($("cm-hour").value) >= 24) { clearInterval(playing); playing = null; $("cm-play").textContent = t("citymap.play"); return; }
    $("cm-hour").value = Number($("cm-hour").value) + 1;
  };
  step();
  playing = setInterval(step, 1500);
});

// clicks: a cluster zooms in, a case opens, a device opens, an area shows its counts
map.on("click", "cases-circle", (e) => {
  const f = e.features[0];
  if (f.properties.cell) {
    map.easeTo({ center: f.geometry.coordinates, zoom: Math.min(map.getZoom() + 2, 19) });
  } else {
    location.assign(`/cases/${f.properties.id}`);
  }
});
map.on("click", "devices-circle", (e) => {
  const f = e.features[0];
  if (f.properties.cell) map.easeTo({ center: f.geometry.coordinates, zoom: Math.min(map.getZoom() + 2, 19) });
  else location.assign(`/console/devices/${encodeURIComponent(f.properties.code)}`);
});
// a key site: its name, kind, address and the open cases near it (a link to the case list)
map.on("click", "keysites-symbol", async (e) => {
  const f = e.features[0];
  const box = popup().setLngLat(f.geometry.coordinates)
    .setDOMContent(h("div", { class: "popup", text: f.properties.name })).addTo(map);
  try {
    const site = await api(`/api/v1/citymap/key-sites/${f.properties.id}`);
    const query = new URLSearchParams({ bbox: site.near_bbox });
    for (const s of OPEN) query.append("status", s);
    box.setDOMContent(h("div", { class: "popup keysite-popup" },
      h("strong", { text: site.name }),
      h("div", { class: "keysite-kind" }, keySiteMark(site.kind), kindName(site.kind)),
      site.address ? h("div", { class: "muted small", text: site.address }) : null,
      h("div", {}, `${t("citymap.keysite_near", { m: site.near_m })}: `,
        h("a", { href: `/cases?${query}`, class: "keysite-cases", text: t("citymap.keysite_cases", { n: site.open_cases }) }))));
  } catch (err) {
    box.setDOMContent(h("div", { class: "popup error", text: err.message }));
  }
});
map.on("click", "areas-fill", (e) => {
  if (map.queryRenderedFeatures(e.point, { layers: ["cases-circle", "devices-circle", "keysites-symbol"] }).length) return;
  const p = e.features[0].properties;
  const c = typeof p.counts === "string" ? JSON.parse(p.counts) : p.counts;
  const body = h("div", { class: "popup" },
    h("strong", { text: p.name }),
    h("div", { class: "muted small", text: p.code }),
    h("div", { text: `${t("citymap.metric_total")}: ${c?.total ?? 0}` }),
    h("div", { text: `${t("citymap.metric_open")}: ${c?.open ?? 0}` }),
    h("div", { text: `${t("citymap.metric_overdue")}: ${c?.overdue ?? 0}` }));
  popup().setLngLat(e.lngLat).setDOMContent(body).addTo(map);
});
for (const id of ["cases-circle", "devices-circle", "keysites-symbol"]) {
  map.on("mouseenter", id, () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", id, () => { map.getCanvas().style.cursor = ""; });
}
onLangChange(legend);
// new cases arrive by the live stream when this build has one, else a poll each minute
try {
  const { openEvents } = await import("../events.js");
  const stream = openEvents({ topics: ["case"] });
  // new cases, and the changes that recolour one (closed, overdue, reminded)
  for (const name of ["case.reported", "case.closed", "case.overdue", "case.reminded", "reset"]) stream.on(name, soon);
} catch {
  setInterval(refresh, 60_000);
}
