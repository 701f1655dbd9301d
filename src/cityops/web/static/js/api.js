// The JSON API under /api/v1. The bearer token lives in sessionStorage (gone with the tab).
const TOKEN_KEY = "cityops.token";
const ME_KEY = "cityops.me";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ME_KEY);
}

export function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
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

/** Call the API; JSON in and out. A 401 sends the user to the login page. */
export async function api(path, { method = "GET", body, query } = {}) {
  const headers = { Accept: "application/json" };
  const tok = token();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url(path, query), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && !path.endsWith("/auth/token")) {
    signOut();
    toLogin();
    throw await failure(res);
  }
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return null;
  return res.json();
}

/** OAuth2 password flow: form-encoded username/password → bearer token. */
export async function signIn(username, password) {
  const res = await fetch("/api/v1/auth/token", {
    method: "POST",
    headers: { Accept: "application/json" },
    body: new URLSearchParams({ grant_type: "password", username, password }),
  });
  if (!res.ok) throw await failure(res);
  const data = await res.json();
  sessionStorage.setItem(TOKEN_KEY, data.access_token);
  if (data.user) sessionStorage.setItem(ME_KEY, JSON.stringify(data.user));
  else sessionStorage.removeItem(ME_KEY);
  return data;
}

/** The signed-in user ({username, display_name, roles, department_id, area_codes, …}). */
export async function me() {
  const cached = sessionStorage.getItem(ME_KEY);
  if (cached) return JSON.parse(cached);
  const user = await api("/api/v1/users/me");
  sessionStorage.setItem(ME_KEY, JSON.stringify(user));
  return user;
}

/** Fetch a file with the token and hand it to the browser as a download. */
export async function download(path, query, filename) {
  const res = await fetch(url(path, query), { headers: { Authorization: `Bearer ${token()}` } });
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
