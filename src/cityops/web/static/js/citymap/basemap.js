// The city map's basemap, as the settings name it (GET /api/v1/citymap/basemap):
// - areas: the city's own polygons only (the style of map_core.js; nothing to add);
// - pmtiles: cityops' /basemap/tiles.pmtiles read by range requests through the pmtiles
//   library's MapLibre protocol (vendor/pmtiles, loaded only then), raster or vector tiles;
// - mbtiles: /basemap/{z}/{x}/{y} (raster, or vector tiles drawn with a plain generic style);
// - raster: an online source (天地图, or AMap/Tencent in GCJ-02).
// For a GCJ-02 source the page shifts every overlay WGS84 → GCJ-02 at the edge (the map's
// GeoJSON sources shift what they are given) and the frame of a query or a click back; the
// data stay WGS84. The tiles go below the area polygons, which turn translucent over them.

const GL = globalThis.maplibregl;
const OVERLAYS = ["areas", "grids", "cases", "devices", "keysites"];

// --- WGS84 ↔ GCJ-02 (the published formula; outside China points are left alone) -----------
const A = 6378245.0;
const EE = 0.00669342162296594323;

function outOfChina(lon, lat) {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function tLat(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function tLon(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

export function wgs84ToGcj02([lon, lat]) {
  if (outOfChina(lon, lat)) return [lon, lat];
  const rad = (lat / 180) * Math.PI;
  let magic = Math.sin(rad);
  magic = 1 - EE * magic * magic;
  const sq = Math.sqrt(magic);
  const dLat = (tLat(lon - 105, lat - 35) * 180) / (((A * (1 - EE)) / (magic * sq)) * Math.PI);
  const dLon = (tLon(lon - 105, lat - 35) * 180) / ((A / sq) * Math.cos(rad) * Math.PI);
  return [lon + dLon, lat + dLat];
}

export function gcj02ToWgs84([lon, lat]) {
  if (outOfChina(lon, lat)) return [lon, lat];
  let [wlon, wlat] = [lon, lat];
  for (let i = 0; i < 10; i++) { // iterate the forward formula (error well under a centimetre)
    const [glon, glat] = wgs84ToGcj02([wlon, wlat]);
    const [elon, elat] = [glon - lon, glat - lat];
    wlon -= elon;
    wlat -= elat;
    if (Math.abs(elon) < 1e-9 && Math.abs(elat) < 1e-9) break;
  }
  return [wlon, wlat];
}

const shifted = (map) => map.cityCrs === "gcj02";

/** A WGS84 [lon, lat] in the map's frame. */
export function toMap(map, point) {
  return shifted(map) ? wgs84ToGcj02(point) : point;
}

/** A point of the map's frame (a click, a corner of the view) in WGS84. */
export function fromMap(map, point) {
  return shifted(map) ? gcj02ToWgs84(point) : point;
}

function shiftCoords(c) {
  return typeof c[0] === "number" ? wgs84ToGcj02(c) : c.map(shiftCoords);
}

/** A GeoJSON FeatureCollection (WGS84) in the map's frame. */
export function shiftGeoJSON(map, doc) {
  if (!shifted(map) || !doc?.features) return doc;
  return {
    ...doc,
    features: doc.features.map((f) => (f.geometry
      ? { ...f, geometry: { ...f.geometry, coordinates: shiftCoords(f.geometry.coordinates) } }
      : f)),
  };
}

// --- the basemap ----------------------------------------------------------------------------

function loadScript(src) {
  return new Promise((ok, fail) => {
    const el = document.createElement("script");
    el.src = src;
    el.onload = ok;
    el.onerror = () => fail(new Error(`${src} did not load`));
    document.head.append(el);
  });
}

// vector tiles of an unknown schema: polygons filled, lines drawn, by the source layers' names
function vectorLayers(ids, theme) {
  const dark = theme === "dark";
  const water = dark ? "#0b2a4a" : "#b9d3ee";
  const land = dark ? "#0c1626" : "#e8ebe3";
  const road = dark ? "#2b3d5c" : "#ffffff";
  const out = [];
  for (const id of ids) {
    const isWater = /water|ocean|river|lake/i.test(id);
    out.push({
      id: `basemap-${id}-fill`, type: "fill", source: "basemap", "source-layer": id,
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": isWater ? water : land, "fill-opacity": isWater ? 1 : 0.6 },
    });
    out.push({
      id: `basemap-${id}-line`, type: "line", source: "basemap", "source-layer": id,
      filter: ["==", ["geometry-type"], "LineString"],
      paint: { "line-color": isWater ? water : road, "line-width": /road|transport|street/i.test(id) ? 1.2 : 0.5 },
    });
  }
  return out;
}

// a tile template made absolute without URL(), which would percent-encode its {z} {x} {y}
const absolute = (t) => (t.startsWith("/") ? `${location.origin}${t}` : t);

function addBelowAreas(map, source, layers) {
  // MapLibre's style validation refuses keys that are present but undefined
  map.addSource("basemap", Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)));
  for (const layer of layers) map.addLayer(layer, "areas-fill");
  map.setPaintProperty("areas-fill", "fill-opacity", 0.3);
}

function raster(tiles, config, extra = {}) {
  return {
    type: "raster", tiles, tileSize: 256, minzoom: config.min_zoom, maxzoom: config.max_zoom,
    attribution: config.attribution || undefined, ...extra,
  };
}

async function addPmtiles(map, config, theme) {
  if (!globalThis.pmtiles) await loadScript("/static/vendor/pmtiles/pmtiles.js");
  const { PMTiles, Protocol } = globalThis.pmtiles;
  if (!GL.cityPmtiles) {
    GL.cityPmtiles = new Protocol();
    GL.addProtocol("pmtiles", GL.cityPmtiles.tile);
  }
  const url = new URL(config.url, location.href).href;
  const archive = new PMTiles(url);
  GL.cityPmtiles.add(archive);
  const header = await archive.getHeader();
  const source = `pmtiles://${url}`;
  if (header.tileType === 1) { // vector (MVT)
    const meta = await archive.getMetadata();
    const ids = (meta?.vector_layers ?? []).map((l) => l.id);
    addBelowAreas(map, { type: "vector", url: source, attribution: config.attribution || undefined }, vectorLayers(ids, theme));
  } else {
    addBelowAreas(map, { type: "raster", url: source, tileSize: 256, attribution: config.attribution || undefined },
      [{ id: "basemap-raster", type: "raster", source: "basemap" }]);
  }
}

/** Read the configured basemap and put it on `map` (after its style loaded). */
export async function applyBasemap(map, theme) {
  let config;
  try {
    config = await globalThis.fetch("/api/v1/citymap/basemap", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null));
  } catch {
    config = null;
  }
  map.cityBasemap = config?.kind ?? "areas";
  if (!config || config.kind === "areas") return;
  try {
    if (config.kind === "pmtiles") {
      await addPmtiles(map, config, theme);
    } else if (config.kind === "mbtiles" && ["pbf", "mvt"].includes(config.format)) {
      addBelowAreas(map, { type: "vector", tiles: config.tiles.map(absolute),
        minzoom: config.min_zoom, maxzoom: config.max_zoom }, vectorLayers(config.vector_layers ?? [], theme));
    } else {
      const tiles = config.tiles.map(absolute);
      addBelowAreas(map, raster(tiles, config), [{ id: "basemap-raster", type: "raster", source: "basemap" }]);
    }
  } catch (err) {
    console.warn("basemap not drawn:", err); // the areas still make a map
    return;
  }
  if (config.attribution) map.addControl(new GL.AttributionControl({ compact: true, customAttribution: config.attribution }));
  if (config.crs === "gcj02") {
    map.cityCrs = "gcj02";
    for (const id of OVERLAYS) {
      const src = map.getSource(id);
      const set = src.setData.bind(src);
      src.setData = (doc) => set(shiftGeoJSON(map, doc));
    }
  }
}
