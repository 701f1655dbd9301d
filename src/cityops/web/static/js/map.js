// Leaflet without a tile layer (the console works offline): area polygons on a plain background,
// cases as circle markers coloured by SLA state. The minified build (147 KB, 42 KB compressed;
// the ES module build is 425 KB unminified) sets the global L.
import "/static/vendor/leaflet/leaflet.js";

const L = globalThis.L;

export const SLA_COLOURS = { green: "#1b7f3b", yellow: "#b7791f", red: "#c62828", none: "#5b6472" };
const AREA_STYLE = { color: "#2f5d8a", weight: 1.2, fillColor: "#9cc0e6", fillOpacity: 0.12 };
const FOCUS_STYLE = { color: "#0b3d91", weight: 2.5, fillColor: "#4f8fd6", fillOpacity: 0.25 };
const DEFAULT_VIEW = [[30.27, 120.16], 13];

/** A page that loads the map late names Leaflet's stylesheet on the map's element (data-css). */
function ensureStylesheet(el) {
  const href = el.dataset.css;
  if (!href || document.querySelector(`link[href="${CSS.escape(href)}"]`)) return;
  document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href }));
}

export function createMap(el, options = {}) {
  ensureStylesheet(el);
  const map = L.map(el, {
    attributionControl: false,
    zoomSnap: 0.25,
    keyboard: true,
    ...options,
  });
  map.setView(...DEFAULT_VIEW);
  return map;
}

function textNode(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
}

const LABEL_LIMIT = 40;

/** Draw a GeoJSON FeatureCollection of areas. Names are printed on the polygons when there
 * are few of them (streets, communities), else shown on hover. */
export function drawAreas(map, geojson, { focusCode, onClick } = {}) {
  const permanent = (geojson.features ?? []).length <= LABEL_LIMIT;
  const layer = L.geoJSON(geojson, {
    style: (f) => (focusCode && f.properties?.code === focusCode ? FOCUS_STYLE : AREA_STYLE),
    onEachFeature: (feature, polygon) => {
      if (onClick) polygon.on("click", (ev) => onClick(ev.latlng, feature));
      const name = feature.properties?.name ?? feature.properties?.code ?? "";
      if (!name) return;
      polygon.bindTooltip(textNode(name), permanent
        ? { permanent: true, direction: "center", className: "area-label" }
        : { sticky: true, direction: "top" });
    },
  });
  layer.addTo(map);
  return layer;
}

export function fitTo(map, layer, padding = 16) {
  const bounds = layer.getBounds?.();
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [padding, padding], animate: false });
}

/** A case as a circle marker coloured by SLA; the popup's content is built from text nodes. */
export function caseMarker(map, c, popupContent) {
  const state = c.overdue ? "red" : (c.sla_state ?? "none");
  const colour = SLA_COLOURS[state] ?? SLA_COLOURS.none;
  const marker = L.circleMarker([c.lat, c.lon], {
    radius: 7,
    color: "#ffffff",
    weight: 2,
    fillColor: colour,
    fillOpacity: 0.95,
  });
  if (popupContent) marker.bindPopup(popupContent);
  marker.addTo(map);
  return marker;
}

/** The point being picked on the create form (a ring, so it reads on any polygon). */
export function pickMarker(map, latlng) {
  return L.circleMarker(latlng, {
    radius: 9,
    color: "#0b3d91",
    weight: 3,
    fillColor: "#ffd54f",
    fillOpacity: 1,
  }).addTo(map);
}
