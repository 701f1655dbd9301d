// 案件列表: filters (kept in the URL), pagination, CSV / Excel export of the same filter.
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
await startPage();
const form = document.getElementById("filters");
let areas = [];
let depts = [];
let current = null;

function filtersFromUrl() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of FIELDS) if (params.get(key)) filters[key] = params.get(key);
  return { filters, page: Math.max(1, Number(params.get("page")) || 1) };
}

function fillFilterSelects(filters) {
  fillSelect(form.status, statusPairs(), { any: t("cases.any"), value: filters.status ?? "" });
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

async function load() {
  const seq = ++loadSeq;
  const { filters, page } = filtersFromUrl();
  fillFilterSelects(filters);
  for (const key of ["q", "category", "from", "to"]) form[key].value = filters[key] ?? "";
  const table = document.getElementById("case-table");
  table.setAttribute("aria-busy", "true");
  try {
    const data = await api("/api/v1/cases", { query: { ...toQuery(filters), page, size: SIZE } });
    if (seq !== loadSeq) return; // a newer search is under way
    current = { filters, data };
    render();
  } catch (err) {
    clear(table, h("p", { class: "error", text: err.message }));
  } finally {
    table.setAttribute("aria-busy", "false");
  }
}

function go(filters, page = 1) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  if (page > 1) params.set("page", page);
  history.pushState(null, "", `/cases${params.size ? `?${params}` : ""}`);
  load();
}

function render() {
  if (!current) return;
  const { data, filters } = current;
  const items = data.items ?? [];
  const page = data.page ?? 1;
  const pages = Math.max(1, Math.ceil((data.total ?? items.length) / (data.size ?? SIZE)));
  document.getElementById("result-count").textContent = t("cases.count", { total: data.total ?? items.length });
  clear(document.getElementById("case-table"),
    items.length ? caseTable(items, { caption: t("cases.results") }) : h("p", { class: "muted", text: t("cases.none") }));
  const pager = document.getElementById("pager");
  const button = (label, target, disabled) =>
    h("button", { type: "button", class: "btn", disabled, onclick: () => go(filters, target), text: label });
  clear(pager,
    button(t("cases.prev"), page - 1, page <= 1),
    h("span", { class: "pager-info", text: t("cases.page_of", { page, pages }) }),
    button(t("cases.next"), page + 1, page >= pages));
}

function formFilters() {
  const filters = {};
  for (const key of FIELDS) {
    const value = form[key]?.value?.trim();
    if (value) filters[key] = value;
  }
  return filters;
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  go(formFilters());
});
form.addEventListener("reset", (ev) => {
  ev.preventDefault();
  go({});
});
form.category.addEventListener("input", async () => {
  const q = form.category.value.trim();
  if (q.length < 1) return;
  try {
    const found = await categories(q);
    clear(document.getElementById("f-category-list"),
      found.slice(0, 30).map((c) => h("option", { value: c.code, text: `${c.code} ${c.name}` })));
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
