// 市民服务: the 三率 of 接诉即办 per department or street and month, and the citizen-notification
// outbox (通知发件箱) with masked recipients.
import { api } from "../api.js";
import { clear, formatTime, h } from "../dom.js";
import { onLangChange, t, tOr } from "../i18n.js";
import { fillSelect } from "../options.js";
import { startPage } from "../shell.js";

const SIZE = 20;
const RATES = ["response_rate", "resolution_rate", "satisfaction_rate"];
const COUNTS = ["visits", "contacted", "resolution_rated", "resolved", "satisfaction_rated",
  "satisfied", "basically_satisfied", "unsatisfied"];
const STATUSES = ["recorded", "sent", "failed"];

await startPage();
const ratesForm = document.getElementById("rates-form");
const outboxForm = document.getElementById("outbox-form");
let rates = null;
let outbox = null;
const query = { month: "", group_by: "department", status: "", page: 1 };

// --- 三率 -----------------------------------------------------------------------------------

/** A fraction as a percentage; null (nothing to measure) as a dash. */
function percent(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(2)}%`;
}

/** The composite on the 100-point scale. */
function score(value) {
  return value === null || value === undefined ? "—" : (value * 100).toFixed(2);
}

function groupName(row) {
  if (row.group_code === "total") return t("citizen.total");
  return row.group_name || (rates.group_by === "street" ? t("citizen.no_street") : t("citizen.no_department"));
}

function rateCells(row) {
  return [
    ...RATES.map((key) => h("td", { class: "num", text: percent(row.rates?.[key]) })),
    h("td", { class: "num strong", text: score(row.rates?.composite) }),
    ...COUNTS.map((key) => h("td", { class: "num", text: String(row.counts?.[key] ?? 0) })),
  ];
}

function ratesTable() {
  const caption = t("citizen.rates_caption", {
    month: rates.month,
    group: t(rates.group_by === "street" ? "citizen.by_street" : "citizen.by_department"),
  });
  const numbers = [
    ...RATES.map((key) => t(`citizen.${key}`)),
    t("citizen.composite"),
    ...COUNTS.map((key) => tOr(`citizen.count_${key}`, rates.names?.[key] ?? key)),
  ];
  const group = t(rates.group_by === "street" ? "citizen.col_street" : "citizen.col_department");
  const row = (r, props = {}) => h("tr", props, h("th", { scope: "row", text: groupName(r) }), rateCells(r));
  return h(
    "table",
    { class: "table table-rates" },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: group }),
      numbers.map((text) => h("th", { scope: "col", class: "num", text })))),
    h("tbody", {}, rates.rows.map((r) => row(r))),
    h("tfoot", {}, row(rates.total, { class: "row-total" })),
  );
}

function formulaLine() {
  const w = rates.weights ?? {};
  const f = rates.formulas ?? {};
  return t("citizen.formulas", {
    response: f.response_rate ?? "",
    resolution: f.resolution_rate ?? "",
    satisfaction: f.satisfaction_rate ?? "",
    w: rates.basic_weight,
    a: w.response_rate,
    b: w.resolution_rate,
    c: w.satisfaction_rate,
  });
}

function renderRates() {
  if (!rates) return;
  const box = document.getElementById("rates-table");
  clear(box, rates.rows.length
    ? ratesTable()
    : h("p", { class: "muted", text: t("citizen.rates_none", { month: rates.month }) }));
  document.getElementById("rates-formulas").textContent = formulaLine();
}

let ratesSeq = 0;
async function loadRates() {
  const seq = ++ratesSeq;
  const box = document.getElementById("rates-table");
  box.setAttribute("aria-busy", "true");
  try {
    const data = await api("/api/v1/indicators/three-rates",
      { query: { group_by: query.group_by, month: query.month } });
    if (seq !== ratesSeq) return;
    rates = data;
    query.month = data.month;
    ratesForm.month.value = data.month;
    renderRates();
  } catch (err) {
    rates = null;
    clear(box, h("p", { class: "error", text: err.message }));
    document.getElementById("rates-formulas").textContent = "";
  } finally {
    box.setAttribute("aria-busy", "false");
  }
}

// --- 通知发件箱 -------------------------------------------------------------------------------

function statusText(status) {
  return tOr(`citizen.status_${status}`, status);
}

function outboxTable(items) {
  const head = ["citizen.n_time", "citizen.n_case", "citizen.n_channel", "citizen.n_recipient",
    "citizen.n_message", "citizen.n_status"];
  return h(
    "table",
    { class: "table" },
    h("caption", { class: "visually-hidden", text: t("citizen.outbox_title") }),
    h("thead", {}, h("tr", {}, head.map((key) => h("th", { scope: "col", text: t(key) })))),
    h(
      "tbody",
      {},
      items.map((n) =>
        h(
          "tr",
          { dataset: { notification: n.id } },
          h("td", { class: "nowrap", text: formatTime(n.created_at) }),
          h("td", {}, h("a", { href: `/cases/${n.case_id}`, class: "case-link", text: n.case_number })),
          h("td", { text: tOr(`citizen.channel_${n.channel}`, n.channel) }),
          h("td", { class: "nowrap", text: n.recipient }),
          h("td", { class: "cell-message", text: n.message }),
          h(
            "td",
            {},
            h("span", { class: `chip notify-${n.status}`, text: statusText(n.status) }),
            n.error ? h("span", { class: "small muted", text: ` ${n.error}` }) : null,
          ),
        ),
      ),
    ),
  );
}

function renderOutbox() {
  if (!outbox) return;
  const items = outbox.items ?? [];
  const page = outbox.page ?? 1;
  const pages = Math.max(1, Math.ceil((outbox.total ?? items.length) / (outbox.size ?? SIZE)));
  document.getElementById("outbox-count").textContent = t("citizen.outbox_count", { total: outbox.total ?? 0 });
  const none = query.status ? t("citizen.outbox_none_status", { status: statusText(query.status) }) : t("citizen.outbox_none");
  clear(document.getElementById("outbox-table"),
    items.length ? outboxTable(items) : h("p", { class: "muted", text: none }));
  const pager = document.getElementById("outbox-pager");
  const button = (label, target, disabled) =>
    h("button", { type: "button", class: "btn", disabled, onclick: () => loadOutbox(target), text: label });
  clear(pager,
    button(t("cases.prev"), page - 1, page <= 1),
    h("span", { class: "pager-info", text: t("cases.page_of", { page, pages }) }),
    button(t("cases.next"), page + 1, page >= pages));
}

function fillStatus() {
  fillSelect(outboxForm.status, STATUSES.map((s) => [s, statusText(s)]),
    { any: t("cases.any"), value: query.status });
}

let outboxSeq = 0;
async function loadOutbox(page = 1) {
  const seq = ++outboxSeq;
  query.page = page;
  const box = document.getElementById("outbox-table");
  box.setAttribute("aria-busy", "true");
  try {
    const data = await api("/api/v1/notifications",
      { query: { status: query.status, page, size: SIZE } });
    if (seq !== outboxSeq) return;
    outbox = data;
    renderOutbox();
  } catch (err) {
    outbox = null;
    clear(box, h("p", { class: "error", text: err.message }));
    clear(document.getElementById("outbox-pager"));
    document.getElementById("outbox-count").textContent = "";
  } finally {
    box.setAttribute("aria-busy", "false");
  }
}

ratesForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  query.month = ratesForm.month.value;
  query.group_by = ratesForm.group_by.value;
  loadRates();
});
ratesForm.group_by.addEventListener("change", () => ratesForm.requestSubmit());
outboxForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  query.status = outboxForm.status.value;
  loadOutbox(1);
});
outboxForm.status.addEventListener("change", () => outboxForm.requestSubmit());
onLangChange(() => {
  fillStatus();
  renderRates();
  renderOutbox();
});

fillStatus();
await Promise.all([loadRates(), loadOutbox(1)]);
