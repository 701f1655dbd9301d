// An error page (404, 405, 500) of the citizen portal: language and 适老 switches.
import { startPortal } from "./common.js";

await startPortal();
