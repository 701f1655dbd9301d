// An error page (404, 405, 500) of the console: only the language switch is live.
import { initI18n } from "../i18n.js";

await initI18n();
