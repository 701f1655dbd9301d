// 设备 (/console/devices): the device list, its map, registration and bulk import.
// The page's work is in sensing/devices_view.js; a signed-in user the page was refused to gets the
// frame only (the server rendered the refusal).
import { run } from "../sensing/devices_view.js";
import { startPage } from "../shell.js";

const user = await startPage();
if (document.getElementById("devices")) await run(user);
