// Shared by the portal pages: language, the 适老 (elder-friendly) switch, the current nav link
// and a small fetch wrapper for the public API (no token, no redirect to a login page).
import { applyI18n, initI18n, onLangChange, t } from "../i18n.js";

const ELDER_KEY = "cityops.elder";

export class PortalError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Call /api/v1/portal…; JSON or FormData in, JSON out; errors carry the server's message. */
export async function call(path, { method = "GET", json, form } = {}) {
  const headers = { Accept: "application/json" };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) body = form;
  const res = await fetch(path, { method, headers, body });
  if (res.ok) return res.json();
  let code = "http_error";
  let message = `${res.status} ${res.statusText}`;
  let details;
  try {
    const data = await res.json();
    code = data.error?.code ?? code;
    message = data.error?.message ?? message;
    details = data.error?.details;
  } catch {
    /* not JSON */
  }
  throw new PortalError(res.status, code, message, details);
}

/** The citizen-facing words for an error: the portal's own text for known codes, else the
 * console's (error.<code>), else the server's. */
export function errorText(err) {
  const key = `portal.err.${err.code}`;
  const text = t(key, { file: err.details?.filename ?? "", seconds: err.details?.retry_after ?? "" });
  if (text !== key) return text;
  const general = t(`error.${err.code}`, { retry_after: err.details?.retry_after ?? "" });
  return general === `error.${err.code}` ? err.message : general;
}

function isElder() {
  try {
    return localStorage.getItem(ELDER_KEY) === "1";
  } catch {
    return false;
  }
}

function setElder(on) {
  document.documentElement.classList.toggle("elder", on);
  const button = document.getElementById("elder-toggle");
  if (button) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.dataset.i18n = on ? "portal.elder_off" : "portal.elder_on";
    button.textContent = t(button.dataset.i18n);
  }
  try {
    localStorage.setItem(ELDER_KEY, on ? "1" : "0");
  } catch {
    /* storage unavailable: the switch still works for this page */
  }
  document.dispatchEvent(new CustomEvent("elderchange", { detail: on }));
}

export function elder() {
  return document.documentElement.classList.contains("elder");
}

export async function startPortal() {
  // The switch answers from the first moment the page shows, even while the words load.
  document.getElementById("elder-toggle")?.addEventListener("click", () => setElder(!elder()));
  await initI18n();
  applyI18n();
  setElder(isElder());
  onLangChange(() => setElder(elder()));
  const page = document.body.dataset.page;
  for (const link of document.querySelectorAll(".p-nav a")) {
    if (link.dataset.nav === page) link.setAttribute("aria-current", "page");
  }
}

/** A percentage for display ("—" when there is nothing to divide). */
export function percent(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}
