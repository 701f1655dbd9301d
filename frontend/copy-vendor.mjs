// Copies the browser files of the npm dependencies into the package's static/vendor folder,
// so the console and the API docs (/docs) are served entirely from this machine (no CDN at run
// time).
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "..", "src", "cityops", "web", "static", "vendor");
mkdirSync(vendor, { recursive: true });
cpSync(join(modules, "leaflet", "dist"), join(vendor, "leaflet"), { recursive: true });
// Swagger UI for /docs: the bundle, its stylesheet and favicon (no source maps).
const swagger = join(vendor, "swagger-ui");
mkdirSync(swagger, { recursive: true });
for (const file of [
  "swagger-ui-bundle.js",
  "swagger-ui.css",
  "favicon-32x32.png",
  "LICENSE",
  "NOTICE",
]) {
  cpSync(join(modules, "swagger-ui-dist", file), join(swagger, file));
}
// ECharts (charts of the sensing and operation-centre pages): the minified UMD build (global
// `echarts`) and its licence.
const echarts = join(vendor, "echarts");
mkdirSync(echarts, { recursive: true });
cpSync(join(modules, "echarts", "dist", "echarts.min.js"), join(echarts, "echarts.min.js"));
cpSync(join(modules, "echarts", "LICENSE"), join(echarts, "LICENSE"));
// MapLibre GL JS (the WebGL maps of the operation centre): the minified UMD build (global
// `maplibregl`, its worker inlined), its stylesheet and licence.
const maplibre = join(vendor, "maplibre-gl");
mkdirSync(maplibre, { recursive: true });
for (const file of ["maplibre-gl.js", "maplibre-gl.css"]) {
  cpSync(join(modules, "maplibre-gl", "dist", file), join(maplibre, file));
}
cpSync(join(modules, "maplibre-gl", "LICENSE.txt"), join(maplibre, "LICENSE.txt"));
// PMTiles (a local basemap file read by HTTP range requests, cityops' /basemap/tiles.pmtiles):
// the IIFE build (global `pmtiles`, BSD-3-Clause; the package ships no licence file) whose
// Protocol MapLibre calls for `pmtiles://` URLs.
const pmtiles = join(vendor, "pmtiles");
mkdirSync(pmtiles, { recursive: true });
cpSync(join(modules, "pmtiles", "dist", "pmtiles.js"), join(pmtiles, "pmtiles.js"));
console.log(`vendor files copied to ${vendor}`);
