// The case table used by the workbench queues and the case list.
import { areaText, formatTime, h, slaChip, statusChip } from "./dom.js";
import { t } from "./i18n.js";

const SLA_RANK = { red: 0, yellow: 1, green: 2 };

/** Overdue first, then red → yellow → green, then the nearest stage deadline. */
export function urgentFirst(a, b) {
  const rank = (c) => (c.overdue ? -1 : (SLA_RANK[c.sla_state] ?? 3));
  const byRank = rank(a) - rank(b);
  if (byRank) return byRank;
  const due = (c) => (c.stage_deadline ? Date.parse(c.stage_deadline) : Number.POSITIVE_INFINITY);
  return due(a) - due(b);
}

// The columns: i18n key, the API's sort key (null: not sortable), the cell.
const COLUMNS = [
  ["case.number", "number", (c) => h("td", {}, h("a", { href: `/cases/${c.id}`, class: "case-link", text: c.number }))],
  ["case.title", null, (c) => h("td", { class: "cell-title", text: c.title || c.description || "" })],
  ["case.category", "category", (c) => h("td", { text: c.category_name ?? c.category_code ?? "" })],
  ["case.status", "status", (c) => h("td", {}, statusChip(c.status))],
  ["case.area", null, (c) => h("td", { text: areaText(c.area) })],
  ["case.department", null, (c) => h("td", { text: c.department?.name ?? "—" })],
  ["case.reported_at", "reported_at", (c) => h("td", { class: "nowrap", text: formatTime(c.reported_at) })],
  ["case.stage_deadline", "stage_deadline", (c) => h("td", { class: "nowrap", text: formatTime(c.stage_deadline) })],
  ["case.sla", null, (c) => h("td", {}, slaChip(c),
    c.supervised ? h("span", { class: "chip chip-supervised", text: t("case.supervised") }) : null)],
];

function header([key, sortKey], sort) {
  if (!sort || !sortKey) return h("th", { scope: "col", text: t(key) });
  const active = sort.key === sortKey;
  const order = active ? sort.order : null;
  const next = active && order === "asc" ? "desc" : "asc";
  return h(
    "th",
    { scope: "col", "aria-sort": order === "asc" ? "ascending" : order === "desc" ? "descending" : "none" },
    h(
      "button",
      {
        type: "button",
        class: `sort-button${active ? " sort-active" : ""}`,
        "data-sort": sortKey,
        title: t("cases.sort_by", { column: t(key) }),
        onclick: () => sort.onSort(sortKey, next),
      },
      t(key),
      h("span", { class: "sort-mark", "aria-hidden": "true", text: order === "asc" ? " ▲" : order === "desc" ? " ▼" : " ↕" }),
    ),
  );
}

/** `sort`: { key, order, onSort(key, order) } makes the sortable headers buttons; `fresh`: the
 * ids to highlight as new. */
export function caseTable(cases, { caption, sort = null, fresh = null } = {}) {
  return h(
    "table",
    { class: `table case-table${sort ? " sortable" : ""}` },
    caption ? h("caption", { class: "visually-hidden", text: caption }) : null,
    h("thead", {}, h("tr", {}, COLUMNS.map((col) => header(col, sort)))),
    h(
      "tbody",
      {},
      cases.map((c) =>
        h(
          "tr",
          {
            class: [c.overdue ? "row-overdue" : "", fresh?.has(c.id) ? "row-new" : ""].join(" ").trim(),
            "data-case-id": c.id,
          },
          COLUMNS.map(([key, , cell]) => {
            const td = cell(c);
            td.dataset.label = t(key); // the column's name beside the value on a phone
            return td;
          }),
        ),
      ),
    ),
  );
}
