// Copies the browser files of the npm dependencies into the package's static/vendor folder,
// so the console is served entirely from this machine (no CDN at run time).
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "src", "cityops", "web", "static", "vendor");
mkdirSync(vendor, { recursive: true });
cpSync(join(here, "node_modules", "leaflet", "dist"), join(vendor, "leaflet"), { recursive: true });
console.log(`vendor files copied to ${vendor}`);
