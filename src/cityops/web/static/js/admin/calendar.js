// 工作日历: one year's public holidays (放假) and adjusted working days (调休上班) on twelve
// month grids. A click on a weekday makes it a holiday (and back); on a weekend it goes rest →
// 调休上班 → holiday → rest. Saved in one PUT; the server checks the rules.
import { api } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { lang, t } from "../i18n.js";
import { button, showFailure } from "./ui.js";

let panel;
const state = { year: new Date().getFullYear(), holidays: new Set(), workdays: new Set(), loaded: null, dirty: false };

const iso = (y, m, d) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
const weekend = (date) => [0, 6].includes(date.getUTCDay());

function kind(day, isWeekend) {
  if (state.holidays.has(day)) return "holiday";
  if (state.workdays.has(day)) return "workday";
  return isWeekend ? "rest" : "work";
}

function cycle(day, isWeekend) {
  const now = kind(day, isWeekend);
  state.holidays.delete(day);
  state.workdays.delete(day);
  if (isWeekend) {
    if (now === "rest") state.workdays.add(day);
    else if (now === "workday") state.holidays.add(day);
  } else if (now === "work") {
    state.holidays.add(day);
  }
  state.dirty = true;
}

function monthGrid(month) {
  const y = state.year;
  const first = new Date(Date.UTC(y, month - 1, 1));
  const days = new Date(Date.UTC(y, month, 0)).getUTCDate();
  const offset = (first.getUTCDay() + 6) % 7; // Monday first
  const names = t("admin.cal.weekdays").split(",");
  const cells = [];
  for (let i = 0; i < offset; i++) cells.push(h("span", { class: "cal-blank", "aria-hidden": "true" }));
  for (let d = 1; d <= days; d++) {
    const date = new Date(Date.UTC(y, month - 1, d));
    const day = iso(y, month, d);
    const isWeekend = weekend(date);
    const k = kind(day, isWeekend);
    cells.push(
      h("button", {
        type: "button",
        class: `cal-day cal-${k}`,
        dataset: { day },
        "aria-pressed": String(k === "holiday" || k === "workday"),
        "aria-label": `${day} ${t(`admin.cal.kind.${k}`)}`,
        title: t(`admin.cal.kind.${k}`),
        text: String(d),
        onclick: (ev) => {
          cycle(day, isWeekend);
          renderMonths();
          document.querySelector(`.cal-day[data-day="${day}"]`)?.focus();
          ev.preventDefault();
        },
      }),
    );
  }
  const title = new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "zh-CN", { month: "long", timeZone: "UTC" }).format(first);
  return h(
    "div",
    { class: "cal-month", role: "group", "aria-label": title },
    h("h3", { class: "cal-title", text: title }),
    h("div", { class: "cal-grid" }, names.map((n) => h("span", { class: "cal-head", "aria-hidden": "true", text: n })), cells),
  );
}

function listLine(key, days) {
  const sorted = [...days].sort();
  return h("p", { class: "small" }, h("strong", { text: `${t(key)} (${sorted.length}): ` }), sorted.length ? sorted.join(", ") : "—");
}

function renderMonths() {
  const src = state.loaded;
  clear(
    panel.querySelector(".cal-body"),
    h(
      "p",
      { class: "muted small", "aria-live": "polite" },
      src ? t(`admin.cal.source.${src.source}`, { by: src.updated_by ?? "", at: formatTime(src.updated_at) }) : "",
      state.dirty ? h("strong", { class: "unsaved", text: ` ${t("admin.cal.unsaved")}` }) : "",
    ),
    h(
      "ul",
      { class: "plain cal-legend" },
      ["work", "rest", "holiday", "workday"].map((k) => h("li", {}, h("span", { class: `cal-swatch cal-${k}`, "aria-hidden": "true" }), t(`admin.cal.kind.${k}`))),
    ),
    h("div", { class: "cal-months" }, Array.from({ length: 12 }, (_, i) => monthGrid(i + 1))),
    listLine("admin.cal.holidays", state.holidays),
    listLine("admin.cal.workdays", state.workdays),
  );
}

let loading = 0;
async function load() {
  const seq = ++loading;
  try {
    const data = await api(`/api/v1/calendar/${state.year}`);
    if (seq !== loading) return; // another year was asked for meanwhile
    state.loaded = data;
    state.holidays = new Set(data.holidays);
    state.workdays = new Set(data.workdays);
    state.dirty = false;
    renderMonths();
  } catch (err) {
    showFailure(err);
  }
}

async function save() {
  try {
    const data = await api(`/api/v1/calendar/${state.year}`, {
      method: "PUT",
      body: { holidays: [...state.holidays].sort(), workdays: [...state.workdays].sort() },
    });
    state.loaded = data;
    state.dirty = false;
    renderMonths();
    flash(t("admin.cal.saved", { year: state.year }), "ok");
  } catch (err) {
    showFailure(err);
  }
}

export async function mount(root) {
  panel = root;
  const year = h("input", { id: "cal-year", type: "number", min: "2000", max: "2100", value: String(state.year), class: "cal-year-input" });
  const go = async (y) => {
    if (y === state.year) return;
    if (state.dirty && !window.confirm(t("admin.cal.discard"))) {
      year.value = String(state.year);
      return;
    }
    state.year = y;
    year.value = String(y);
    await load();
  };
  year.addEventListener("change", () => {
    const y = Number(year.value);
    if (Number.isInteger(y) && y >= 2000 && y <= 2100) go(y);
  });
  clear(
    root,
    h(
      "div",
      { class: "panel-head" },
      h("h2", { text: t("admin.tab.calendar") }),
      h(
        "div",
        { class: "head-actions cal-controls" },
        h("button", { type: "button", class: "btn", "aria-label": t("admin.cal.prev"), title: t("admin.cal.prev"), text: "‹", onclick: () => go(state.year - 1) }),
        h("label", { for: "cal-year", class: "visually-hidden", text: t("admin.cal.year") }),
        year,
        h("button", { type: "button", class: "btn", "aria-label": t("admin.cal.next"), title: t("admin.cal.next"), text: "›", onclick: () => go(state.year + 1) }),
        button("admin.save", save, "btn btn-primary", { id: "cal-save" }),
      ),
    ),
    h("p", { class: "muted small", text: t("admin.cal.lead") }),
    h("div", { class: "cal-body" }),
  );
  // rebuilt after a language switch: keep the year on screen with its unsaved clicks
  if (state.loaded?.year === state.year) renderMonths();
  else await load();
}
