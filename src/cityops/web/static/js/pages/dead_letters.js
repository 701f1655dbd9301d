// 死信 (/console/sensing/dead-letters): what ingestion refused, per reason.
// The page's work is in sensing/dead_letters_view.js; a signed-in user the page was refused to gets the
// frame only (the server rendered the refusal).
import { run } from "../sensing/dead_letters_view.js";
import { startPage } from "../shell.js";

const user = await startPage();
// a page of 物联感知: its nav link shows where the user is
document.querySelector('[data-nav="devices"]')?.setAttribute("aria-current", "page");
if (document.getElementById("dead-letters")) await run(user);
