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
console.log(`vendor files copied to ${vendor}`);
