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

export function caseTable(cases, { caption } = {}) {
  const head = ["case.number", "case.title", "case.category", "case.status", "case.area",
    "case.department", "case.stage_deadline", "case.sla"];
  return h(
    "table",
    { class: "table" },
    caption ? h("caption", { class: "visually-hidden", text: caption }) : null,
    h("thead", {}, h("tr", {}, head.map((key) => h("th", { scope: "col", text: t(key) })))),
    h(
      "tbody",
      {},
      cases.map((c) =>
        h(
          "tr",
          { class: c.overdue ? "row-overdue" : "" },
          h("td", {}, h("a", { href: `/cases/${c.id}`, class: "case-link", text: c.number })),
          h("td", { class: "cell-title", text: c.title || c.description || "" }),
          h("td", { text: c.category_name ?? c.category_code ?? "" }),
          h("td", {}, statusChip(c.status)),
          h("td", { text: areaText(c.area) }),
          h("td", { text: c.department?.name ?? "—" }),
          h("td", { class: "nowrap", text: formatTime(c.stage_deadline) }),
          h("td", {}, slaChip(c), c.supervised ? h("span", { class: "chip chip-supervised", text: t("case.supervised") }) : null),
        ),
      ),
    ),
  );
}
