// 工作台: the signed-in role's queues, overdue first, with counters on top. Each queue shows its
// total and pages through it (查看全部 opens the case list with the same filter); the page polls
// every POLL_MS while the tab is visible (a 304 from the server's ETag when nothing changed),
// highlights the cases that arrived and says how many, keeping each queue's page and the scroll.
import { api } from "../api.js";
import { caseTable, urgentFirst } from "../case_table.js";
import { clear, flash, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { startPage } from "../shell.js";

const OPEN = ["reported", "registered", "dispatched", "in_progress", "suspended", "handled"];
const HANDLING = ["dispatched", "in_progress"];
const SIZE = 10;
const POLL_MS = 30_000;

/** The queues a role works on; the server scopes each list to the user's department or grids. */
function queuesFor(user) {
  const roles = new Set(user.roles ?? []);
  const queues = [];
  const add = (key, query) => queues.push({ key, query });
  if (roles.has("dispatcher")) {
    add("queue.to_register", { status: "reported" });
    add("queue.to_dispatch", { status: "registered" });
  } else if (roles.has("operator")) {
    add("queue.to_register", { status: "reported" });
  }
  if (roles.has("operator")) add("queue.to_evaluate", { visit: "due" });
  if (roles.has("handler")) {
    add("queue.to_sign", { status: "dispatched" });
    add("queue.in_progress", { status: "in_progress" });
    add("queue.reworked", { status: HANDLING, reworked: true });
    add("queue.returned", { status: HANDLING, returned: true });
    add("queue.due_soon", { status: HANDLING, sla: "yellow" });
  }
  if (roles.has("inspector")) {
    add("queue.to_verify", { status: "handled" });
    add("queue.my_reports", { source: "inspector", status: OPEN, mine: true });
  }
  if (roles.has("shift_leader")) {
    add("queue.to_approve", { status: "in_progress", extension: "pending" });
    add("queue.suspended", { status: "suspended" });
    add("queue.in_progress", { status: "in_progress" });
  }
  if (roles.has("leader") || roles.has("admin")) add("queue.overdue", { status: OPEN, overdue: true });
  if (!queues.length) add("queue.open", { status: OPEN });
  const seen = new Set();
  return queues.filter((q) => !seen.has(q.key) && seen.add(q.key));
}

const user = await startPage();
const queues = queuesFor(user);
// per queue: { page, data, error, seen: ids ever shown, fresh: ids new since the last look }
const state = new Map(queues.map((q) => [q.key, { page: 1, data: null, seen: null, fresh: new Set() }]));
let arrived = 0;
let overdueTotal = null;

function listLink(query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return `/cases?${params}`;
}

async function loadQueue(q, { poll = false } = {}) {
  const s = state.get(q.key);
  try {
    // a poll is the page's own doing, not the user's: it does not keep the session alive
    const query = { ...q.query, page: s.page, size: SIZE };
    const data = await api("/api/v1/cases", { query, background: poll });
    const ids = (data.items ?? []).map((c) => c.id);
    if (s.seen === null) {
      s.seen = new Set(ids);
    } else if (poll) {
      const grown = Math.max(0, (data.total ?? 0) - (s.data?.total ?? 0));
      const fresh = ids.filter((id) => !s.seen.has(id));
      for (const id of fresh) s.fresh.add(id);
      arrived += Math.max(grown, fresh.length);
    }
    for (const id of ids) s.seen.add(id);
    const text = JSON.stringify(data);
    const changed = text !== s.text || s.error;
    Object.assign(s, { data, text, error: null });
    return changed;
  } catch (err) {
    const changed = err.message !== s.error;
    s.error = err.message;
    return changed;
  }
}

/** The overdue open cases in the user's scope (the counter, when no queue lists them). */
async function loadOverdue({ poll = false } = {}) {
  if (queues.some((q) => q.query.overdue)) return false;
  try {
    const query = { status: OPEN, overdue: true, size: 1 };
    const data = await api("/api/v1/cases", { query, background: poll });
    const changed = data.total !== overdueTotal;
    overdueTotal = data.total;
    return changed;
  } catch {
    return false;
  }
}

/** Every queue at once; the page is drawn again only when one of them changed. */
async function loadAll(options) {
  const changed = await Promise.all([...queues.map((q) => loadQueue(q, options)), loadOverdue(options)]);
  if (changed.some(Boolean) || !options?.poll) render();
}

function counter(label, value, kind = "") {
  return h("li", { class: `counter ${kind}` }, h("span", { class: "counter-value", text: value }),
    h("span", { class: "counter-label", text: label }));
}

function pager(q, s) {
  const total = s.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / SIZE));
  const go = async (page) => {
    s.page = page;
    await loadQueue(q);
    render();
  };
  return h(
    "div",
    { class: "queue-foot" },
    h("span", { class: "muted", text: t("workbench.showing", {
      from: total ? (s.page - 1) * SIZE + 1 : 0,
      to: Math.min(s.page * SIZE, total),
      total,
    }) }),
    pages > 1
      ? h("span", { class: "queue-pager" },
        h("button", { type: "button", class: "btn btn-small", disabled: s.page <= 1,
          "aria-label": t("cases.prev"), onclick: () => go(s.page - 1), text: "‹" }),
        h("span", { class: "pager-info", text: t("cases.page_of", { page: s.page, pages }) }),
        h("button", { type: "button", class: "btn btn-small", disabled: s.page >= pages,
          "aria-label": t("cases.next"), onclick: () => go(s.page + 1), text: "›" }))
      : null,
    h("a", { class: "view-all", href: listLink(q.query), text: t("workbench.view_all") }),
  );
}

/** The queue at the top of the window and where it stands, to put it back after drawing. */
function anchor() {
  const sections = [...document.querySelectorAll("#queues section.queue")];
  const top = sections.find((el) => el.getBoundingClientRect().bottom > 0);
  return top ? { key: top.dataset.queue, at: top.getBoundingClientRect().top } : null;
}

function keepPlace(place) {
  if (!place || window.scrollY === 0) return;
  const el = document.querySelector(`#queues section.queue[data-queue="${place.key}"]`);
  if (el) window.scrollBy(0, el.getBoundingClientRect().top - place.at);
}

function render() {
  const place = anchor();
  draw();
  keepPlace(place);
}

function draw() {
  document.getElementById("queue-hint").textContent = t("workbench.hint");
  const notice = document.getElementById("new-notice");
  clear(
    notice,
    arrived
      ? [
        h("span", { text: t("workbench.new_cases", { count: arrived }) }),
        h("button", { type: "button", class: "btn btn-small", text: t("workbench.seen"),
          onclick: () => {
            arrived = 0;
            for (const s of state.values()) s.fresh.clear();
            render();
          } }),
      ]
      : null,
  );
  notice.hidden = !arrived;
  const counters = document.getElementById("counters");
  const overdue = overdueTotal ?? 0;
  clear(
    counters,
    queues.map((q) => counter(t(q.key), state.get(q.key).data?.total ?? 0)),
    queues.some((q) => q.query.overdue)
      ? null
      : counter(t("workbench.overdue"), overdue, overdue ? "counter-alert" : ""),
  );
  const box = document.getElementById("queues");
  clear(
    box,
    queues.map((q) => {
      const s = state.get(q.key);
      const items = [...(s.data?.items ?? [])].sort(urgentFirst);
      const id = `q-${q.key.replace(/\W/g, "-")}`;
      return h(
        "section",
        { class: "card queue", "aria-labelledby": id, "data-queue": q.key },
        h("h2", { id }, t(q.key), " ", h("span", { class: "count-badge", text: s.data?.total ?? 0 })),
        s.error
          ? h("p", { class: "error", text: s.error })
          : items.length
            ? [h("div", { class: "table-wrap" }, caseTable(items, { caption: t(q.key), fresh: s.fresh })),
              pager(q, s)]
            : h("p", { class: "muted", text: t("workbench.empty") }),
      );
    }),
  );
  box.setAttribute("aria-busy", "false");
}

async function poll() {
  if (document.visibilityState !== "visible") return;
  await loadAll({ poll: true });
}

onLangChange(render);
await loadAll().catch((err) => flash(err.message, "error"));
setInterval(() => poll().catch(() => {}), POLL_MS);
// back on the tab: look at once instead of waiting for the next round
document.addEventListener("visibilitychange", () => poll().catch(() => {}));
