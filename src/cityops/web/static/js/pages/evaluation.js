// 绩效考核: streets, departments and posts scored and graded A–E (docs/insight/evaluation.md).
// The view (trend or ranking) is the server's setting unless the user picks one; every count
// in the table opens the cases behind it; the workbook downloads a sheet per subject kind.
import { api, download } from "../api.js";
import { clear, flash, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { startPage } from "../shell.js";

const SUBJECTS = ["street", "department", "operator", "dispatcher", "inspector", "shift_leader", "handler"];
const HANDLER_SUBJECTS = ["department", "handler"];

const user = await startPage();
const form = document.getElementById("ev-form");
const subjectSelect = document.getElementById("ev-subject");
const periodInput = document.getElementById("ev-period");
const viewSelect = document.getElementById("ev-view");
const tableBox = document.getElementById("ev-table");
const note = document.getElementById("ev-note");
const dialog = document.getElementById("ev-dialog");
const trendCard = document.getElementById("ev-trend-card");
const trendBox = document.getElementById("ev-trend");
const headTail = document.getElementById("ev-headtail");
let report = null;
let chart = null;

const roles = new Set(user.roles ?? []);
const seesAll = ["leader", "admin", "shift_leader", "dispatcher"].some((r) => roles.has(r));
const subjects = seesAll ? SUBJECTS : HANDLER_SUBJECTS;

function fillSubjects() {
  const current = subjectSelect.value || new URLSearchParams(location.search).get("subject") || subjects[0];
  clear(subjectSelect, ...subjects.map((s) => h("option", { value: s, text: t(`evaluation.kind.${s}`) })));
  subjectSelect.value = subjects.includes(current) ? current : subjects[0];
}

function percent(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}

function gradeChip(grade) {
  return h("span", { class: `grade grade-${grade ?? "none"}`, text: grade ?? t("evaluation.not_rated") });
}

function scoreText(score) {
  return score === null || score === undefined ? "—" : score.toFixed(2);
}

/** A count as a button that lists the cases behind it. */
function countButton(row, count) {
  const n = row.counts?.[count] ?? 0;
  if (!n) return h("span", { text: "0" });
  return h("button", {
    type: "button",
    class: "num-link",
    text: String(n),
    title: t("evaluation.drill_title", { name: row.name || row.code, count: t(`evaluation.count.${count}`) }),
    onclick: () => drill(row, count),
  });
}

function componentCell(row, comp) {
  const part = row.components.find((p) => p.key === comp.key);
  const value = comp.denominator === null ? String(part?.value ?? 0) : percent(part?.value);
  const numerator = countButton(row, comp.numerator);
  const denominator = comp.denominator ? [" / ", countButton(row, comp.denominator)] : [];
  return h("td", { class: "num" },
    h("div", { text: value }),
    h("div", { class: "muted small" }, numerator, ...denominator));
}

function renderTable() {
  const comps = report.components;
  const ranking = report.view === "ranking";
  const head = h("tr", {},
    ranking ? h("th", { scope: "col", text: t("evaluation.rank") }) : null,
    h("th", { scope: "col", text: t(`evaluation.kind.${report.subject}`) }),
    h("th", { scope: "col", class: "num", text: t("evaluation.score") }),
    h("th", { scope: "col", text: t("evaluation.grade") }),
    ...comps.map((c) => h("th", { scope: "col", class: "num", text: `${c.name} (${c.weight})` })));
  const rows = report.rows.map((r) => h("tr", {},
    ranking ? h("td", { class: "num", text: r.rank === null ? "—" : String(r.rank) }) : null,
    h("th", { scope: "row", text: r.name || r.code }),
    h("td", { class: "num strong", text: scoreText(r.score) }),
    h("td", {}, gradeChip(r.grade)),
    ...comps.map((c) => componentCell(r, c))));
  const caption = t("evaluation.caption", { period: report.period, kind: t(`evaluation.kind.${report.subject}`) });
  clear(tableBox, report.rows.length
    ? h("table", { class: "table" }, h("caption", { text: caption }), h("thead", {}, head), h("tbody", {}, ...rows))
    : h("p", { class: "muted", text: t("evaluation.empty") }));
}

function renderHeadTail() {
  const ranking = report.view === "ranking";
  headTail.hidden = !ranking;
  if (!ranking) return;
  const item = (r) => h("li", {}, h("span", { text: `${r.name || r.code} ` }), h("strong", { text: scoreText(r.score) }), " ", gradeChip(r.grade));
  const none = () => h("li", { class: "muted", text: t("evaluation.none") });
  clear(document.getElementById("ev-head"), ...(report.head.length ? report.head.map(item) : [none()]));
  clear(document.getElementById("ev-tail"), ...(report.tail.length ? report.tail.map(item) : [none()]));
}

function renderTrend() {
  const trend = report.view === "trend";
  trendCard.hidden = !trend;
  if (!trend) return;
  if (!window.echarts) {
    clear(trendBox, h("p", { class: "muted", text: t("evaluation.no_chart") }));
    return;
  }
  chart ??= window.echarts.init(trendBox);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 30 },
    xAxis: { type: "category", data: report.periods },
    yAxis: { type: "value", min: 0, max: 100 },
    series: report.trend.map((line) => ({
      name: line.name || line.code,
      type: "line",
      connectNulls: false,
      showSymbol: true,
      symbolSize: 8,
      data: line.scores,
    })),
  }, true);
  chart.resize();
}

function render() {
  if (!report) return;
  const bands = Object.entries(report.grades).map(([g, b]) => `${g} ≥ ${b}`).join(", ");
  note.textContent = t("evaluation.note", {
    view: t(`evaluation.view_${report.view}`), bands, min: report.min_volume,
  });
  renderHeadTail();
  renderTrend();
  renderTable();
}

function query() {
  const q = { subject: subjectSelect.value };
  if (periodInput.value) q.period = periodInput.value;
  if (viewSelect.value) q.view = viewSelect.value;
  return q;
}

async function load() {
  try {
    report = await api("/api/v1/evaluation/scores", { query: query() });
    if (!periodInput.value && /^\d{4}-\d{2}$/.test(report.period)) periodInput.value = report.period;
    render();
  } catch (err) {
    flash(err.message, "error");
  }
}

async function drill(row, count) {
  const q = { subject: report.subject, code: row.code, count, period: report.period };
  let found;
  try {
    found = await api("/api/v1/evaluation/cases", { query: q });
  } catch (err) {
    flash(err.message, "error");
    return;
  }
  const title = t("evaluation.drill_title", { name: row.name || row.code, count: t(`evaluation.count.${count}`) });
  const list = found.cases.length
    ? h("ul", { class: "plain stack" }, ...found.cases.map((c) =>
      h("li", {}, h("a", { href: `/cases/${c.id}`, text: c.number || `#${c.id}` }), ` ${c.title} · ${t(`status.${c.status}`)}`)))
    : h("p", { class: "muted", text: t("evaluation.empty") });
  clear(dialog, h("div", { class: "dialog-form" },
    h("div", { class: "dialog-head" },
      h("h2", { id: "ev-dialog-title", text: `${title} (${report.period}): ${found.total}` }),
      h("button", { type: "button", class: "btn btn-ghost dialog-x", "aria-label": t("evaluation.close"), text: "×", onclick: () => dialog.close() })),
    list));
  dialog.showModal();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
document.getElementById("ev-export").addEventListener("click", async () => {
  const q = periodInput.value ? { period: periodInput.value } : {};
  try {
    await download("/api/v1/evaluation/export", q, `evaluation-${periodInput.value || "current"}.xlsx`);
  } catch (err) {
    flash(err.message, "error");
  }
});
window.addEventListener("resize", () => chart?.resize());
onLangChange(() => {
  fillSubjects();
  render();
});
fillSubjects();
await load();
