// The city map (一图观全域) on MapLibre GL (the global `maplibregl`, a classic script): the
// city's own area polygons are the basemap (no tile server, works offline) unless a setting
// names tiles (basemap.js: a local PMTiles/MBTiles file or an online raster source, GCJ-02
// ones shifting every overlay at the edge), with layers for case clusters / points, a heatmap,
// devices by state, key sites (重点场所) and a choropleth of case counts per area.
// The server clusters (GET /api/v1/citymap/cases, /devices): this module only draws. Every
// overlay is given in WGS84 (as stored); on a GCJ-02 basemap the sources shift what they are
// given (basemap.js), the bbox of a query and the point of a click are shifted back.
import { api } from "../api.js";
import { applyBasemap, fromMap, shiftGeoJSON, toMap } from "./basemap.js";
import { KEY_SITE_KINDS, addKeySiteIcons, keySiteIcon } from "./key_sites.js";

const GL = globalThis.maplibregl;

export const SLA_COLORS = { red: "#e5484d", yellow: "#f2a900", green: "#30a46c", none: "#8b95a7" };
export const STATE_COLORS = {
  alarm: "#e5484d", offline: "#8b95a7", maintenance: "#f2a900", online: "#0d74ce",
};
export const STATUS_COLORS = {
  reported: "#8e4ec6", registered: "#0d74ce", dispatched: "#12a594", in_progress: "#f2a900",
  suspended: "#8b95a7", handled: "#30a46c", closed: "#6f6e77", cancelled: "#b4b4b4",
};
export const OPEN = ["reported", "registered", "dispatched", "in_progress", "suspended", "handled"];
// the layers a user switches, each a group of MapLibre layer ids
export const LAYER_GROUPS = {
  areas: ["areas-fill", "areas-line"],
  grids: ["grids-line"],
  cases: ["cases-circle"],
  heat: ["cases-heat"],
  devices: ["devices-circle"],
  keysites: ["keysites-symbol"],
};

const THEMES = {
  light: { bg: "#eef1f5", fill: "#ffffff", line: "#7d8799", grid: "#c3cad6", low: "#fff1e6", high: "#ea580c", opacity: 0.8, halo: "#ffffff" },
  dark: { bg: "#07101f", fill: "#0f1d33", line: "#4f8fe6", grid: "#1c3356", low: "#12305a", high: "#b45309", opacity: 0.7, halo: "#07101f" },
};

const empty = () => ({ type: "FeatureCollection", features: [] });

function style(theme) {
  const c = THEMES[theme];
  return {
    version: 8,
    sources: {
      areas: { type: "geojson", data: empty() },
      grids: { type: "geojson", data: empty() },
      cases: { type: "geojson", data: empty() },
      devices: { type: "geojson", data: empty() },
      keysites: { type: "geojson", data: empty() },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": c.bg } },
      {
        id: "areas-fill", type: "fill", source: "areas",
        paint: {
          "fill-color": ["case", ["has", "value"],
            ["interpolate", ["linear"], ["get", "share"], 0, c.low, 1, c.high], c.fill],
          "fill-opacity": c.opacity,
        },
      },
      { id: "grids-line", type: "line", source: "grids", paint: { "line-color": c.grid, "line-width": 0.6 } },
      { id: "areas-line", type: "line", source: "areas", paint: { "line-color": c.line, "line-width": 1.4 } },
      {
        id: "cases-heat", type: "heatmap", source: "cases", layout: { visibility: "none" },
        paint: {
          "heatmap-weight": ["interpolate", ["linear"], ["get", "count"], 1, 0.2, 50, 1],
          "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 8, 18, 16, 40],
          "heatmap-opacity": 0.75,
        },
      },
      {
        id: "cases-circle", type: "circle", source: "cases",
        paint: {
          "circle-color": ["get", "color"],
          "circle-radius": ["case", ["get", "cell"],
            ["interpolate", ["linear"], ["sqrt", ["get", "count"]], 1, 7, 30, 30], 5],
          "circle-opacity": 0.85,
          "circle-stroke-color": c.halo,
          "circle-stroke-width": 1.2,
        },
      },
      {
        id: "devices-circle", type: "circle", source: "devices",
        paint: {
          "circle-color": ["get", "color"],
          "circle-radius": ["case", ["get", "cell"],
            ["interpolate", ["linear"], ["sqrt", ["get", "count"]], 1, 5, 30, 22], 4],
          "circle-opacity": 0.9,
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": ["case", ["get", "cell"], 0, 1],
        },
      },
      {
        id: "keysites-symbol", type: "symbol", source: "keysites", layout: {
          visibility: "none",
          "icon-image": ["get", "icon"],
          "icon-size": ["interpolate", ["linear"], ["zoom"], 10, 0.7, 15, 1],
          "icon-allow-overlap": true,
        },
      },
    ],
  };
}

/** A map in `container`; `theme` light (console) or dark (big screen). */
export function createCityMap(container, { theme = "light", interactive = true, controls = true } = {}) {
  const map = new GL.Map({
    container,
    style: style(theme),
    center: [120.17, 30.27],
    zoom: 11,
    attributionControl: false,
    interactive,
    fadeDuration: 0,
  });
  if (interactive && controls) map.addControl(new GL.NavigationControl({ showCompass: false }), "top-right");
  const ready = map.loaded() ? Promise.resolve() : new Promise((ok) => map.once("load", ok));
  // the basemap of the settings (tiles below the areas; its CRS) before anything is drawn
  map.cityReady = ready.then(() => { addKeySiteIcons(map); return applyBasemap(map, theme); });
  return map;
}

/** The map's style and its basemap are in place: overlays may be drawn. */
export function loaded(map) {
  return map.cityReady;
}

export function setVisible(map, group, on) {
  for (const id of LAYER_GROUPS[group]) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
}

function rows(answer) {
  return answer.rows.map((r) => Object.fromEntries(answer.fields.map((f, i) => [f, r[i]])));
}

function bboxOf(features) {
  let [a, b, c, d] = [180, 90, -180, -90];
  const walk = (x) => {
    if (typeof x[0] === "number") {
      a = Math.min(a, x[0]); b = Math.min(b, x[1]); c = Math.max(c, x[0]); d = Math.max(d, x[1]);
    } else x.forEach(walk);
  };
  for (const f of features) walk(f.geometry.coordinates);
  return a <= c ? [[a, b], [c, d]] : null;
}

/** Area polygons of `level` (GeoJSON, cached by the browser with its ETag). */
export async function areaDocument(level) {
  return api("/api/v1/citymap/areas", { query: { level } });
}

export function fitAreas(map, doc, padding = 20) {
  const box = bboxOf(shiftGeoJSON(map, doc).features);
  if (box) map.fitBounds(box, { padding, animate: false });
}

/** Put `counts` (rows of /citymap/area-counts) on the polygons: `metric` of each area, and its
 * share of the largest, which the fill colours. */
export function paintChoropleth(map, doc, counts, metric) {
  const byCode = new Map(rows(counts).map((r) => [r.code, r]));
  const values = doc.features.map((f) => byCode.get(f.properties.code)?.[metric] ?? 0);
  const top = Math.max(1, ...values);
  const features = doc.features.map((f, i) => ({
    ...f,
    properties: metric
      ? { ...f.properties, value: values[i], share: values[i] / top, counts: byCode.get(f.properties.code) ?? null }
      : { ...f.properties, counts: byCode.get(f.properties.code) ?? null },
  }));
  map.getSource("areas").setData({ type: "FeatureCollection", features });
}

/** The view as a WGS84 bbox (the map's frame shifted back from GCJ-02 when the basemap is). */
export function bboxParam(map) {
  const b = map.getBounds();
  const clamp = (v, lim) => Math.max(-lim, Math.min(lim, v));
  const [w, s] = fromMap(map, [b.getWest(), b.getSouth()]);
  const [e, n] = fromMap(map, [b.getEast(), b.getNorth()]);
  return [clamp(w, 180), clamp(s, 90), clamp(e, 180), clamp(n, 90)]
    .map((v) => v.toFixed(5)).join(",");
}

/** Read the key sites of the view and draw them, each with its kind's icon; answers the list. */
export async function loadKeySites(map) {
  const answer = await api("/api/v1/citymap/key-sites", {
    query: { bbox: bboxParam(map) }, background: true,
  });
  const features = rows(answer).map((r) => ({
    type: "Feature",
    geometry: { type: "Point", coordinates: [r.lon, r.lat] },
    properties: { id: r.id, kind: r.kind, name: r.name, icon: keySiteIcon(r.kind) },
  }));
  map.getSource("keysites").setData({ type: "FeatureCollection", features });
  return answer;
}

export { KEY_SITE_KINDS, fromMap, toMap };

function caseColor(r, colorBy) {
  if (colorBy === "status") return STATUS_COLORS[r.status] ?? SLA_COLORS.none;
  return SLA_COLORS[r.sla || "none"];
}

function cellColor(r) {
  if (r.red > 0) return SLA_COLORS.red;
  if (r.yellow > 0) return SLA_COLORS.yellow;
  if (r.green > 0) return SLA_COLORS.green;
  return SLA_COLORS.none;
}

/** Read the cases of the view (bbox, zoom, `filters`) and draw them; answers the count. */
export async function loadCases(map, filters, { colorBy = "sla" } = {}) {
  const answer = await api("/api/v1/citymap/cases", {
    query: { ...filters, bbox: bboxParam(map), zoom: map.getZoom().toFixed(2) },
    background: true,
  });
  const features = rows(answer).map((r) => ({
    type: "Feature",
    geometry: { type: "Point", coordinates: [r.lon, r.lat] },
    properties: answer.mode === "cells"
      ? { cell: true, count: r.count, color: cellColor(r), red: r.red, yellow: r.yellow, open: r.open }
      : { cell: false, count: 1, id: r.id, status: r.status, sla: r.sla, color: caseColor(r, colorBy) },
  }));
  map.getSource("cases").setData({ type: "FeatureCollection", features });
  return answer;
}

export async function loadDevices(map) {
  const answer = await api("/api/v1/citymap/devices", {
    query: { bbox: bboxParam(map), zoom: map.getZoom().toFixed(2) },
    background: true,
  });
  const features = rows(answer).map((r) => ({
    type: "Feature",
    geometry: { type: "Point", coordinates: [r.lon, r.lat] },
    properties: answer.mode === "cells"
      ? {
        cell: true, count: r.count, alarm: r.alarm, offline: r.offline,
        color: r.alarm ? STATE_COLORS.alarm : r.online ? STATE_COLORS.online : STATE_COLORS.offline,
      }
      : { cell: false, count: 1, code: r.code, name: r.name, state: r.state, color: STATE_COLORS[r.state] },
  }));
  map.getSource("devices").setData({ type: "FeatureCollection", features });
  return answer;
}

/** HTML labels (no glyph server offline): a name at each area's centre of its bbox. */
export function labelAreas(map, doc, className = "citymap-label") {
  const markers = [];
  for (const f of shiftGeoJSON(map, doc).features) {
    const box = bboxOf([f]);
    if (!box) continue;
    const el = document.createElement("div");
    el.className = className;
    el.textContent = f.properties.name;
    markers.push(new GL.Marker({ element: el })
      .setLngLat([(box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2]).addTo(map));
  }
  return () => markers.forEach((m) => m.remove());
}

export function popup() {
  return new GL.Popup({ closeButton: true, maxWidth: "280px" });
}

/** The time slider's window: the day (YYYY-MM-DD, Asia/Shanghai) up to `hours` hours. */
export function dayWindow(day, hours) {
  const start = new Date(`${day}T00:00:00+08:00`);
  const end = new Date(start.getTime() + hours * 3600e3);
  const iso = (d) => `${d.toISOString().slice(0, 19)}+00:00`;
  return { from: iso(start), to: iso(end) };
}

export function today() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}
