// The inspector app's outbox: every write (a report, a 核查, a self-handled result, with its
// photos) is put into IndexedDB first, with an idempotency key made on the phone, and sent from
// there in the order it was made — at once when online, else when the network returns ('online'
// event) and on a timer with backoff. An item's photos go first (POST /api/v1/media/photos, each
// answer's ref kept on the item, so a retry does not upload them again), then the case or the
// action with those refs and the `Idempotency-Key` header: the server writes a request once
// however often it arrives (kernel/request_keys.py), so a lost answer is simply sent again.
// A refusal (409 someone else acted meanwhile, 422, 403, 404) stops that item, shown to the
// inspector with the server's reason; the items after it go on.
import { ApiError, errorText, writeHeaders } from "../api.js";

const DB_NAME = "cityops-mobile";
const STORE = "outbox";
const MAX_WAIT_MS = 60_000;

export const STATES = ["pending", "sending", "done", "conflict", "failed"];

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let opened = null;
function db() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

async function store(mode) {
  return (await db()).transaction(STORE, mode).objectStore(STORE);
}

export async function allItems() {
  const items = await request((await store("readonly")).getAll());
  return items.sort((a, b) => a.id - b.id);
}

async function save(item) {
  await request((await store("readwrite")).put(item));
}

async function remove(id) {
  await request((await store("readwrite")).delete(id));
}

/** A key unique to this write: a UUID (random where randomUUID is missing). */
export function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

class Retry extends Error {}
class SignedOut extends Error {}

async function refusal(res) {
  let code = "http_error";
  let message = `${res.status}`;
  let details;
  try {
    const err = (await res.json()).error ?? {};
    code = err.code ?? code;
    message = err.message ?? message;
    details = err.details;
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, code, message, details);
}

async function send(url, init) {
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new Retry("network");
  }
  if (res.status === 401) throw new SignedOut("signed out");
  if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Retry(String(res.status));
  if (!res.ok) throw await refusal(res);
  return res.json();
}

export class Outbox {
  constructor({ onChange = () => {} } = {}) {
    this.onChange = onChange;
    this.running = false;
    this.wait = 2000;
    this.timer = null;
    this.signedOut = false;
    this.owner = null; // the signed-in account's username: set before the first add or sync
    addEventListener("online", () => {
      this.wait = 2000;
      this.sync();
    });
  }

  /** Queue a write: { kind: "report", body } or { kind: "action", action, caseId, body },
   * with `photos` (Blobs) whose refs go into body.photos; `label` names it in the list. */
  async add(item) {
    const entry = {
      key: newKey(),
      owner: this.owner, // only this account's session sends it (a phone may be shared)
      state: "pending",
      created: Date.now(),
      attempts: 0,
      refs: [],
      error: null,
      result: null,
      ...item,
    };
    await save(entry);
    await this.changed();
    this.sync();
    return entry;
  }

  /** The items of the signed-in account: what another account queued on this phone waits,
   * unseen, for that account to sign in again (it is sent with its own session only). */
  async mine() {
    return (await allItems()).filter((item) => (item.owner ?? this.owner) === this.owner);
  }

  async changed() {
    this.onChange(await this.mine());
  }

  async clearDone() {
    for (const item of await this.mine()) if (item.state === "done") await remove(item.id);
    await this.changed();
  }

  async discard(id) {
    await remove(id);
    await this.changed();
  }

  /** Send what waits, oldest first; stops at the first item that could not reach the server
   * (tried again later, with backoff), so the order holds. */
  async sync() {
    if (this.running || this.signedOut || !this.owner) return;
    if (!navigator.onLine) return;
    this.running = true;
    clearTimeout(this.timer);
    let again = false;
    try {
      for (const item of await this.mine()) {
        if (item.state !== "pending" && item.state !== "sending") continue;
        try {
          await this.sendItem(item);
        } catch (err) {
          if (err instanceof Retry) {
            item.state = "pending";
            item.error = null;
            await save(item);
            again = true;
            break;
          }
          if (err instanceof SignedOut) {
            this.signedOut = true;
            item.state = "pending";
            await save(item);
            break;
          }
          item.state = err instanceof ApiError && err.status === 409 ? "conflict" : "failed";
          item.error = err instanceof ApiError ? errorText(err.code, err.serverMessage, err.details) : String(err);
          await save(item);
        }
        await this.changed();
      }
    } finally {
      this.running = false;
      await this.changed();
    }
    if (again) {
      this.timer = setTimeout(() => this.sync(), this.wait);
      this.wait = Math.min(this.wait * 2, MAX_WAIT_MS);
    } else {
      this.wait = 2000;
    }
  }

  async sendItem(item) {
    item.state = "sending";
    item.attempts += 1;
    await save(item);
    await this.changed();
    const photos = item.photos ?? [];
    while (item.refs.length < photos.length) {
      const form = new FormData();
      const blob = photos[item.refs.length];
      form.append("file", blob, blob.name || `photo-${item.refs.length + 1}.jpg`);
      const stored = await send("/api/v1/media/photos", { method: "POST", headers: writeHeaders(), body: form });
      item.refs.push(stored.ref);
      await save(item);
    }
    const body = { ...item.body, photos: [...(item.body.photos ?? []), ...item.refs] };
    const url = item.kind === "report"
      ? "/api/v1/cases"
      : `/api/v1/cases/${item.caseId}/actions/${item.action}`;
    const headers = { ...writeHeaders(), "Content-Type": "application/json", "Idempotency-Key": item.key };
    const answer = await send(url, { method: "POST", headers, body: JSON.stringify(body) });
    item.state = "done";
    item.error = null;
    item.result = { id: answer.id, number: answer.number, status: answer.status };
    item.photos = []; // sent: the refs stay, the pictures leave the phone's storage
    await save(item);
  }
}
