// 设备详情 (/console/devices/{code}): facts, latest values, charts, alarms.
// The page's work is in sensing/device_view.js; a signed-in user the page was refused to gets the
// frame only (the server rendered the refusal).
import { run } from "../sensing/device_view.js";
import { startPage } from "../shell.js";

const user = await startPage();
// a page of 物联感知: its nav link shows where the user is
document.querySelector('[data-nav="devices"]')?.setAttribute("aria-current", "page");
if (document.getElementById("device")) await run(user);
