// 工作台: "my queue" for the signed-in role, overdue first, with counters on top.
import { api } from "../api.js";
import { caseTable, urgentFirst } from "../case_table.js";
import { clear, flash, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { startPage } from "../shell.js";

const OPEN = ["reported", "registered", "dispatched", "in_progress", "suspended", "handled"];

/** The queues a role works on; the server scopes each list to the user's department or grids. */
function queuesFor(user) {
  const roles = new Set(user.roles ?? []);
  const queues = [];
  const add = (key, query, keep) => queues.push({ key, query, keep });
  if (roles.has("dispatcher")) {
    add("queue.to_register", { status: "reported" });
    add("queue.to_dispatch", { status: "registered" });
  } else if (roles.has("operator")) {
    add("queue.to_register", { status: "reported" });
  }
  if (roles.has("operator")) add("queue.to_evaluate", { status: "closed" });
  if (roles.has("handler")) {
    add("queue.to_sign", { status: "dispatched" });
    add("queue.in_progress", { status: "in_progress" });
  }
  if (roles.has("inspector")) {
    add("queue.to_verify", { status: "handled" });
    // the inspector's own open reports (上报): the list has no author filter, so keep them here
    add("queue.my_reports", { source: "inspector", status: OPEN }, (c) => c.created_by === user.username);
  }
  if (roles.has("shift_leader")) {
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
const results = new Map();

async function load() {
  await Promise.all(
    queues.map(async (q) => {
      try {
        const page = await api("/api/v1/cases", { query: { ...q.query, page: 1, size: 50 } });
        if (q.keep) {
          page.items = (page.items ?? []).filter(q.keep);
          page.total = page.items.length;
        }
        results.set(q.key, page);
      } catch (err) {
        results.set(q.key, { error: err.message, items: [], total: 0 });
      }
    }),
  );
  render();
}

function counter(label, value, kind = "") {
  return h("li", { class: `counter ${kind}` }, h("span", { class: "counter-value", text: value }),
    h("span", { class: "counter-label", text: label }));
}

function render() {
  document.getElementById("queue-hint").textContent = t("workbench.hint");
  const counters = document.getElementById("counters");
  const overdue = new Set();
  for (const page of results.values()) for (const c of page.items ?? []) if (c.overdue) overdue.add(c.id);
  clear(
    counters,
    queues.map((q) => counter(t(q.key), results.get(q.key)?.total ?? 0)),
    queues.some((q) => q.query.overdue)
      ? null
      : counter(t("workbench.overdue"), overdue.size, overdue.size ? "counter-alert" : ""),
  );
  const box = document.getElementById("queues");
  clear(
    box,
    queues.map((q) => {
      const page = results.get(q.key) ?? { items: [] };
      const items = [...(page.items ?? [])].sort(urgentFirst);
      const id = `q-${q.key.replace(/\W/g, "-")}`;
      return h(
        "section",
        { class: "card queue", "aria-labelledby": id, "data-queue": q.key },
        h("h2", { id }, t(q.key), " ", h("span", { class: "count-badge", text: page.total ?? items.length })),
        page.error
          ? h("p", { class: "error", text: page.error })
          : items.length
            ? h("div", { class: "table-wrap" }, caseTable(items, { caption: t(q.key) }))
            : h("p", { class: "muted", text: t("workbench.empty") }),
      );
    }),
  );
  box.setAttribute("aria-busy", "false");
}

onLangChange(render);
load().catch((err) => flash(err.message, "error"));
