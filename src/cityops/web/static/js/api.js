// The JSON API under /api/v1. The console is signed in by an HttpOnly session cookie that the
// browser sends by itself (every tab of the browser shares it; scripts never see the token).
// Writes echo the readable `cityops_csrf` cookie in the X-CSRF-Token header.
import { tOr } from "./i18n.js";

const CSRF_COOKIE = "cityops_csrf";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class ApiError extends Error {
  /** `message` is the text for `code` in the page's language (i18n `error.<code>`), else the
   * server's own message, which `serverMessage` always keeps. */
  constructor(status, code, message, details) {
    super(errorText(code, message, details));
    this.status = status;
    this.code = code;
    this.serverMessage = message;
    this.details = details;
  }
}

/** The words for an error code in the page's language; `{name}` takes details[name] and
 * `{message}` the server's message. Unknown codes: the server's message. */
export function errorText(code, message, details) {
  const text = tOr(`error.${code}`, null);
  if (text === null) return message;
  const params = { ...(details ?? {}), message };
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : ""));
}

function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return null;
}

/** Sign out: the server revokes the session's token and clears the cookies. */
export async function signOut() {
  try {
    await fetch("/api/v1/auth/logout", { method: "POST", headers: writeHeaders() });
  } catch {
    /* offline: the session still ends by the idle timeout */
  }
}

export function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

export function writeHeaders() {
  const headers = { Accept: "application/json" };
  const csrf = csrfToken();
  if (csrf) headers["X-CSRF-Token"] = csrf;
  return headers;
}

async function failure(res) {
  let code = "http_error";
  let message = `${res.status} ${res.statusText}`;
  let details;
  try {
    const body = await res.json();
    const err = body.error ?? {};
    code = err.code ?? code;
    message = err.message ?? (typeof body.detail === "string" ? body.detail : message);
    details = err.details;
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, code, message, details);
}

function url(path, query) {
  const u = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) u.searchParams.append(key, v);
  }
  return u;
}

/** Call the API; JSON in and out. A 401 sends the user to the login page. `background`: a
 * request the page makes by itself (a poll), which does not count as the user's activity for
 * the session's idle timeout. */
export async function api(path, { method = "GET", body, query, background = false } = {}) {
  const headers = UNSAFE.has(method) ? writeHeaders() : { Accept: "application/json" };
  if (background) headers["X-Cityops-Background"] = "1";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url(path, query), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    toLogin();
    throw await failure(res);
  }
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return null;
  return res.json();
}

/** Console sign-in: the server sets the session cookies; answers {user, next, …}, where `next`
 * is the page asked for if it is a path on this site (else "/"). */
export async function signIn(username, password, next) {
  const res = await fetch("/api/v1/auth/session", {
    method: "POST",
    headers: { Accept: "application/json" },
    body: new URLSearchParams({ username, password, next: next || "/" }),
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

let current = null;

/** The signed-in user ({username, display_name, roles, department_id, area_codes, …}),
 * asked once per page. */
export async function me() {
  current ??= api("/api/v1/users/me");
  return current;
}

/** Fetch a file (the session cookie goes with it) and hand it to the browser as a download. */
export async function download(path, query, filename) {
  const res = await fetch(url(path, query));
  if (!res.ok) throw await failure(res);
  const blob = await res.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** Send a file (FormData: multipart/form-data) to the API; JSON out. As `api` for the rest. */
export async function upload(path, formData, query) {
  const res = await fetch(url(path, query), { method: "POST", headers: writeHeaders(), body: formData });
  if (res.status === 401) {
    toLogin();
    throw await failure(res);
  }
  if (!res.ok) throw await failure(res);
  return res.json();
}
