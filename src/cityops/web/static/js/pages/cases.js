// 案件列表: filters (kept in the URL), sorting by a column, pagination, CSV / Excel export of the
// same filter. The workbench's 查看全部 opens it with a queue's filter, shown as chips above.
import { api, download } from "../api.js";
import { caseTable } from "../case_table.js";
import { clear, flash, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import {
  areaFeatures, categories, departments, fillSelect, sourcePairs, statusPairs,
} from "../options.js";
import { startPage } from "../shell.js";

const SIZE = 20;
const FIELDS = ["q", "status", "source", "category", "area", "department", "from", "to"];
// the workbench queues' filters: no form field, a chip each
// (bbox: the city map's link to the open cases near a key site)
const QUEUE = ["visit", "extension", "returned", "reworked", "sla", "overdue", "mine", "bbox"];
await startPage();
const form = document.getElementById("filters");
let areas = [];
let depts = [];
let current = null;
// category picker: the text shown for each category code suggested or looked up
const categoryLabels = new Map();

function filtersFromUrl() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of FIELDS) {
    const all = params.getAll(key).filter(Boolean);
    if (all.length) filters[key] = all.length > 1 ? all : all[0];
  }
  for (const key of QUEUE) if (params.get(key)) filters[key] = params.get(key);
  const sort = params.get("sort") || null;
  const order = params.get("order") === "desc" ? "desc" : "asc";
  return { filters, sort, order, page: Math.max(1, Number(params.get("page")) || 1) };
}

function fillFilterSelects(filters) {
  const status = Array.isArray(filters.status) ? "" : (filters.status ?? "");
  fillSelect(form.status, statusPairs(), { any: t("cases.any"), value: status });
  fillSelect(form.source, sourcePairs(), { any: t("cases.any"), value: filters.source ?? "" });
  fillSelect(form.area, areas.map((f) => [f.properties.code, f.properties.name]),
    { any: t("cases.any"), value: filters.area ?? "" });
  fillSelect(form.department, depts.map((d) => [d.code, d.name]),
    { any: t("cases.any"), value: filters.department ?? "" });
}

/** The API's `to` is exclusive (reported before): the form's end date counts whole. */
function toQuery(filters) {
  const query = { ...filters };
  if (query.to) {
    const next = new Date(`${query.to}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    query.to = next.toISOString().slice(0, 10);
  }
  return query;
}

let loadSeq = 0;

const categoryLabel = (c) => `${c.name} ${c.code}`;

/** The category code's words in the picker (looked up once). */
async function showCategory(code) {
  if (!code) return "";
  if (!categoryLabels.has(code)) {
    try {
      const found = await categories(code, { leafOnly: false });
      const hit = found.find((c) => c.code === code);
      categoryLabels.set(code, hit ? categoryLabel(hit) : code);
    } catch {
      return code;
    }
  }
  return categoryLabels.get(code);
}

async function load() {
  const seq = ++loadSeq;
  const { filters, sort, order, page } = filtersFromUrl();
  fillFilterSelects(filters);
  for (const key of ["q", "from", "to"]) form[key].value = filters[key] ?? "";
  form.category.value = await showCategory(filters.category);
  const table = document.getElementById("case-table");
  table.setAttribute("aria-busy", "true");
  try {
    const query = { ...toQuery(filters), sort: sort ?? undefined, order: sort ? order : undefined };
    const data = await api("/api/v1/cases", { query: { ...query, page, size: SIZE } });
    if (seq !== loadSeq) return; // a newer search is under way
    current = { filters, sort, order, data };
    render();
  } catch (err) {
    clear(table, h("p", { class: "error", text: err.message }));
  } finally {
    table.setAttribute("aria-busy", "false");
  }
}

function go(filters, page = 1, { sort = null, order = "asc" } = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) {
    for (const one of Array.isArray(v) ? v : [v]) if (one) params.append(k, one);
  }
  if (sort) {
    params.set("sort", sort);
    params.set("order", order);
  }
  if (page > 1) params.set("page", page);
  history.pushState(null, "", `/cases${params.size ? `?${params}` : ""}`);
  load();
}

function queueChipText(key, value) {
  if (key === "status") return value.map((s) => t(`status.${s}`)).join(" / ");
  const words = {
    visit: "queue.to_evaluate",
    extension: "queue.to_approve",
    returned: value === "true" ? "queue.returned" : "cases.not_returned",
    reworked: value === "true" ? "queue.reworked" : "cases.not_reworked",
    sla: `sla.${value}`,
    overdue: value === "true" ? "queue.overdue" : "cases.not_overdue",
    mine: "queue.my_reports",
    bbox: "cases.bbox_filter",
  };
  return t(words[key] ?? key);
}

function renderQueueFilters(filters) {
  const box = document.getElementById("queue-filters");
  const keys = [...QUEUE.filter((k) => filters[k]), ...(Array.isArray(filters.status) ? ["status"] : [])];
  box.hidden = !keys.length;
  clear(box, keys.length ? h("span", { class: "muted", text: t("cases.queue_filter") }) : null,
    keys.map((key) => h("span", { class: "chip", "data-filter": key }, queueChipText(key, filters[key]),
      h("button", { type: "button", class: "chip-remove", "aria-label": t("cases.remove_filter", { name: queueChipText(key, filters[key]) }),
        text: " ✕", onclick: () => {
          const { [key]: _gone, ...rest } = filters;
          go(rest, 1, current ?? {});
        } }))));
}

function render() {
  if (!current) return;
  const { data, filters, sort, order } = current;
  const items = data.items ?? [];
  const page = data.page ?? 1;
  const pages = Math.max(1, Math.ceil((data.total ?? items.length) / (data.size ?? SIZE)));
  renderQueueFilters(filters);
  document.getElementById("result-count").textContent = t("cases.count", { total: data.total ?? items.length });
  const sorting = { key: sort, order, onSort: (key, next) => go(filters, 1, { sort: key, order: next }) };
  clear(document.getElementById("case-table"),
    items.length ? caseTable(items, { caption: t("cases.results"), sort: sorting }) : h("p", { class: "muted", text: t("cases.none") }));
  const pager = document.getElementById("pager");
  const button = (label, target, disabled) =>
    h("button", { type: "button", class: "btn", disabled, onclick: () => go(filters, target, { sort, order }), text: label });
  clear(pager,
    button(t("cases.prev"), page - 1, page <= 1),
    h("span", { class: "pager-info", text: t("cases.page_of", { page, pages }) }),
    button(t("cases.next"), page + 1, page >= pages));
}

/** The code of what the category picker holds: a suggestion's, a code typed, or the first
 * category whose name holds the words (null: none). */
async function categoryCode(text) {
  if (!text) return "";
  for (const [code, label] of categoryLabels) if (label === text) return code;
  if (/^[A-Za-z][0-9]*$/.test(text)) return text.toUpperCase();
  const found = await categories(text, { leafOnly: false });
  const hit = found.find((c) => c.name === text) ?? found[0];
  if (!hit) return null;
  categoryLabels.set(hit.code, categoryLabel(hit));
  return hit.code;
}

async function formFilters() {
  const before = filtersFromUrl().filters;
  const filters = {};
  for (const key of QUEUE) if (before[key]) filters[key] = before[key];
  for (const key of FIELDS) {
    const value = form[key]?.value?.trim();
    if (value) filters[key] = value;
  }
  if (!filters.status && Array.isArray(before.status)) filters.status = before.status;
  if (filters.category) {
    const code = await categoryCode(filters.category);
    if (code === null) throw new Error(t("cases.no_category", { text: filters.category }));
    filters.category = code;
  }
  return filters;
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const { sort, order } = filtersFromUrl();
    go(await formFilters(), 1, { sort, order });
  } catch (err) {
    flash(err.message, "error");
  }
});
form.addEventListener("reset", (ev) => {
  ev.preventDefault();
  go({});
});
form.category.addEventListener("input", async () => {
  const q = form.category.value.trim();
  if (q.length < 1 || [...categoryLabels.values()].includes(q)) return;
  try {
    const found = await categories(q, { leafOnly: false });
    for (const c of found) categoryLabels.set(c.code, categoryLabel(c));
    clear(document.getElementById("f-category-list"),
      found.slice(0, 30).map((c) => h("option", { value: categoryLabel(c) })));
  } catch {
    /* suggestions are optional */
  }
});
for (const [id, format, ext] of [["export-csv", "csv", "csv"], ["export-xlsx", "xlsx", "xlsx"]]) {
  document.getElementById(id).addEventListener("click", async (ev) => {
    ev.preventDefault();
    try {
      await download("/api/v1/cases/export", { ...toQuery(filtersFromUrl().filters), format }, `cases.${ext}`);
    } catch (err) {
      flash(err.message, "error");
    }
  });
}
window.addEventListener("popstate", load);
onLangChange(() => {
  fillFilterSelects(filtersFromUrl().filters);
  render();
});

[areas, depts] = await Promise.all([
  areaFeatures("street").catch(() => []),
  departments().catch(() => []),
]);
await load();
