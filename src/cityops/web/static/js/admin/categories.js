// 权责清单: the category tree with each one's time limits and responsible unit, editing a
// category (a new revision; its keywords too, which smart routing reads), its revision
// history, and import / export of the whole list.
import { api, download, upload } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { t } from "../i18n.js";
import { activeChip, actions, button, matches, openForm, searchBox, showFailure, showResult, table, toolbar } from "./ui.js";

const STAGES = ["register", "dispatch", "handle", "verify", "close"];
const UNITS = ["working_hours", "working_days", "calendar_hours"];
const URGENCIES = ["normal", "urgent", "critical"];
const RESPONSIBLE = ["department", "street_office", "district_government"];

const state = { categories: [], departments: [], text: "", collapsed: new Set(), inactive: false };
let panel;

const deptName = (code) => state.departments.find((d) => d.code === code)?.name ?? code;

export function limitText(limit) {
  return `${Number(limit.amount)}${t(`admin.cat.unit_short.${limit.unit}`)}`;
}

function limitsCell(c) {
  const parts = STAGES.filter((s) => c.limits[s]).map((s) =>
    h("span", { class: "limit" }, h("span", { class: "muted", text: t(`stage.${s}`) }), ` ${limitText(c.limits[s])}`),
  );
  return parts.length ? h("span", { class: "limits" }, parts) : "—";
}

function responsibleCell(c) {
  if (c.responsible_kind === "department") return c.department_code ? deptName(c.department_code) : "—";
  return t(`admin.cat.responsible.${c.responsible_kind}`);
}

/** The categories to show, in tree order: a search keeps the matches and their ancestors. */
function visibleRows() {
  const byCode = new Map(state.categories.map((c) => [c.code, c]));
  let shown;
  if (state.text) {
    shown = new Set();
    for (const c of state.categories) {
      if (!matches(state.text, c.code, c.name, c.department_code, deptName(c.department_code))) continue;
      for (let x = c; x; x = byCode.get(x.parent_code)) shown.add(x.code);
    }
  }
  return state.categories.filter((c) => {
    if (shown && !shown.has(c.code)) return false;
    if (shown) return true;
    for (let p = byCode.get(c.parent_code); p; p = byCode.get(p.parent_code)) {
      if (state.collapsed.has(p.code)) return false;
    }
    return true;
  });
}

function nameCell(c) {
  const toggle = c.leaf
    ? h("span", { class: "tree-spacer", "aria-hidden": "true" })
    : h("button", {
        type: "button",
        class: "tree-toggle",
        "aria-expanded": String(!state.collapsed.has(c.code) || Boolean(state.text)),
        "aria-label": t(state.collapsed.has(c.code) ? "admin.cat.expand" : "admin.cat.collapse", { name: c.name }),
        text: state.collapsed.has(c.code) && !state.text ? "▸" : "▾",
        onclick: () => {
          if (state.collapsed.has(c.code)) state.collapsed.delete(c.code);
          else state.collapsed.add(c.code);
          render();
        },
      });
  return h("span", { class: `tree-name level-${c.level}` }, toggle, h("span", { class: "muted small code", text: c.code }), " ", h("span", { text: c.name }));
}

function render() {
  const rows = visibleRows();
  clear(
    panel.querySelector(".admin-list"),
    table(
      [
        { key: "admin.cat.name", cell: nameCell, class: "cell-tree" },
        { key: "admin.cat.limits", cell: limitsCell },
        { key: "admin.cat.responsible_col", cell: responsibleCell },
        { key: "admin.cat.urgency", cell: (c) => h("span", { class: `chip urgency-${c.urgency}`, text: t(`urgency.${c.urgency}`) }) },
        { key: "admin.status", cell: (c) => activeChip(c.active) },
        {
          key: "admin.actions",
          cell: (c) =>
            actions(
              button("admin.edit", () => edit(c), "btn btn-small", { "aria-label": `${t("admin.edit")} ${c.code} ${c.name}` }),
              button("admin.cat.history", () => history(c), "btn btn-small", { "aria-label": `${t("admin.cat.history")} ${c.code}` }),
            ),
        },
      ],
      rows,
      { rowProps: (c) => ({ dataset: { category: c.code }, class: c.active ? `tree-row level-${c.level}` : `tree-row level-${c.level} row-inactive` }) },
    ),
  );
}

async function load() {
  try {
    const [categories, departments] = await Promise.all([
      api("/api/v1/categories", { query: { include_inactive: state.inactive || undefined } }),
      api("/api/v1/departments"),
    ]);
    const first = !state.categories.length;
    state.categories = categories.sort((a, b) => a.code.localeCompare(b.code));
    // opened first as the 大类 only: one click opens one, the search finds any
    if (first) for (const c of state.categories) if (c.level === 1 && !c.leaf) state.collapsed.add(c.code);
    state.departments = departments;
    render();
  } catch (err) {
    showFailure(err);
  }
}

function limitsEditor(c) {
  return h(
    "fieldset",
    { class: "field field-wide limits-editor" },
    h("legend", { text: t("admin.cat.limits") }),
    h("p", { class: "help", text: t("admin.cat.limits_help") }),
    STAGES.map((s) => {
      const limit = c.limits[s];
      return h(
        "div",
        { class: "limit-row" },
        h("label", { for: `limit-${s}`, text: t(`stage.${s}`) }),
        h("input", { id: `limit-${s}`, name: `limit_${s}`, type: "number", min: "0", step: "0.5", inputmode: "decimal", value: limit ? String(limit.amount) : "" }),
        h(
          "select",
          { name: `unit_${s}`, "aria-label": `${t(`stage.${s}`)} ${t("admin.cat.unit")}` },
          UNITS.map((u) => h("option", { value: u, text: t(`admin.cat.unit.${u}`), selected: (limit?.unit ?? "working_days") === u })),
        ),
      );
    }),
  );
}

/** Keywords as typed: separated by 、 ，, ；; or spaces, blanks and repeats dropped (as the
 * server reads a list's keywords cell, taxonomy/model.py split_keywords). */
export function splitKeywords(text) {
  return [...new Set(String(text ?? "").split(/[、，,；;\s]+/).map((w) => w.trim()).filter(Boolean))];
}

function edit(c) {
  openForm({
    title: t("admin.cat.edit", { code: c.code, name: c.name }),
    fields: [
      { name: "name", label: t("admin.cat.name"), value: c.name, required: true, maxlength: 100 },
      { name: "urgency", label: t("admin.cat.urgency"), type: "select", options: URGENCIES.map((u) => [u, t(`urgency.${u}`)]), value: c.urgency },
      { name: "responsible_kind", label: t("admin.cat.responsible_kind"), type: "select", options: RESPONSIBLE.map((r) => [r, t(`admin.cat.responsible.${r}`)]), value: c.responsible_kind },
      {
        name: "department_code", label: t("admin.cat.department"), type: "select", blank: t("admin.none_option"),
        options: state.departments.map((d) => [d.code, `${d.name} (${d.code})`]), value: c.department_code ?? "",
      },
      { name: "filing_condition", label: t("admin.cat.filing_condition"), type: "textarea", value: c.filing_condition, required: true, rows: 3, wide: true },
      { name: "keywords", label: t("admin.cat.keywords"), type: "textarea", value: (c.keywords ?? []).join("、"), rows: 2, wide: true, help: t("admin.cat.keywords_help") },
      { type: "custom", node: limitsEditor(c) },
      { name: "active", label: t("admin.cat.active"), type: "checkbox", value: c.active },
    ],
    submit: async (v, form) => {
      const limits = {};
      for (const s of STAGES) {
        const amount = form.elements[`limit_${s}`].value.trim();
        if (amount !== "") limits[s] = { amount: Number(amount), unit: form.elements[`unit_${s}`].value };
      }
      const saved = await api(`/api/v1/categories/${encodeURIComponent(c.code)}`, {
        method: "PUT",
        body: {
          name: v.name,
          filing_condition: v.filing_condition,
          urgency: v.urgency,
          responsible_kind: v.responsible_kind,
          department_code: v.department_code || null,
          limits,
          active: v.active,
          keywords: splitKeywords(v.keywords),
        },
      });
      state.categories = state.categories.map((x) => (x.code === saved.code ? saved : x));
      render();
      flash(t("admin.cat.saved", { code: saved.code }), "ok");
    },
  });
}

function changes(rev) {
  const before = rev.before ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(rev.after)])].filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(rev.after[k]),
  );
  const show = (value) => (value === undefined || value === null ? "—" : typeof value === "object" ? JSON.stringify(value) : String(value));
  return h("ul", { class: "plain small" }, keys.map((k) => h("li", {}, h("strong", { text: `${k}: ` }), rev.before ? `${show(before[k])} → ` : "", show(rev.after[k]))));
}

async function history(c) {
  try {
    const revisions = await api(`/api/v1/categories/${encodeURIComponent(c.code)}/revisions`);
    showResult(
      t("admin.cat.history_of", { code: c.code, name: c.name }),
      table(
        [
          { key: "admin.cat.revision", cell: (r) => `#${r.revision}`, class: "nowrap" },
          { key: "admin.cat.change", cell: (r) => t(`admin.cat.change.${r.change}`) },
          { key: "admin.cat.changed", cell: (r) => `${formatTime(r.changed_at)} · ${r.changed_by}`, class: "nowrap" },
          { key: "admin.cat.what", cell: changes },
        ],
        [...revisions].reverse(),
        { empty: t("admin.cat.no_history") },
      ),
    );
  } catch (err) {
    showFailure(err);
  }
}

function importPicker() {
  const input = h("input", { type: "file", accept: ".csv,.yaml,.yml", class: "visually-hidden", id: "cat-import-file", "aria-label": t("admin.cat.import") });
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    try {
      const data = new FormData();
      data.append("file", file, file.name);
      const result = await upload("/api/v1/categories/import", data);
      flash(t("admin.cat.imported", result), "ok");
      await load();
    } catch (err) {
      showFailure(err);
    }
  });
  return input;
}

export async function mount(root) {
  panel = root;
  const picker = importPicker();
  const inactive = h("input", { type: "checkbox", id: "cat-inactive" });
  inactive.addEventListener("change", () => ((state.inactive = inactive.checked), load()));
  clear(
    root,
    h(
      "div",
      { class: "panel-head" },
      h("h2", { text: t("admin.tab.categories") }),
      h(
        "div",
        { class: "head-actions" },
        button("admin.cat.import", () => picker.click(), "btn", { id: "cat-import" }),
        button("admin.cat.export_csv", () => download("/api/v1/categories/export", { format: "csv" }, "categories.csv").catch(showFailure), "btn"),
        button("admin.cat.export_yaml", () => download("/api/v1/categories/export", { format: "yaml" }, "categories.yaml").catch(showFailure), "btn"),
        picker,
      ),
    ),
    toolbar(
      searchBox("cat-search", (text) => ((state.text = text), render()), "admin.cat.search"),
      button("admin.cat.collapse_all", () => {
        for (const c of state.categories) if (!c.leaf) state.collapsed.add(c.code);
        render();
      }, "btn btn-small"),
      button("admin.cat.expand_all", () => (state.collapsed.clear(), render()), "btn btn-small"),
      h("label", { class: "check" }, inactive, t("admin.cat.show_inactive")),
    ),
    h("div", { class: "admin-list" }),
  );
  await load();
}
