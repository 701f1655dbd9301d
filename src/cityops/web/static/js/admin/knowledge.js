// 知识库: every article (retired ones too), search, create, edit, retire and restore.
import { api } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { t } from "../i18n.js";
import { actions, activeChip, button, matches, openForm, searchBox, showFailure, table, toolbar } from "./ui.js";

let panel;
let articles = [];
let departments = [];
let text = "";

function render() {
  const rows = articles.filter((a) => matches(text, a.code, a.title, a.answer, a.department_name, ...a.keywords));
  clear(
    panel.querySelector(".admin-list"),
    h("p", { class: "muted small", "aria-live": "polite", text: t("admin.count", { shown: rows.length, total: articles.length }) }),
    table(
      [
        { key: "admin.kb.code", cell: (a) => h("strong", { text: a.code }), class: "nowrap" },
        { key: "admin.kb.title", cell: (a) => [h("div", { text: a.title }), h("div", { class: "small muted clamp", text: a.answer })], class: "cell-title" },
        { key: "admin.kb.keywords", cell: (a) => a.keywords.join("、") || "—" },
        { key: "admin.kb.department", cell: (a) => a.department_name || a.department_code || "—" },
        { key: "admin.kb.updated", cell: (a) => `${formatTime(a.updated_at)} · ${a.updated_by}`, class: "nowrap" },
        { key: "admin.status", cell: (a) => activeChip(a.active) },
        { key: "admin.actions", cell: (a) => actions(button("admin.edit", () => edit(a), "btn btn-small", { "aria-label": `${t("admin.edit")} ${a.code}` })) },
      ],
      rows,
      { rowProps: (a) => ({ dataset: { article: a.code }, class: a.active ? "" : "row-inactive" }) },
    ),
  );
}

async function load() {
  try {
    [articles, departments] = await Promise.all([
      api("/api/v1/knowledge", { query: { include_inactive: true } }),
      api("/api/v1/departments"),
    ]);
    render();
  } catch (err) {
    showFailure(err);
  }
}

function fields(a) {
  return [
    { name: "title", label: t("admin.kb.title"), value: a?.title, required: true, maxlength: 200, wide: true },
    { name: "keywords", label: t("admin.kb.keywords"), value: (a?.keywords ?? []).join(", "), help: t("admin.kb.keywords_help"), wide: true },
    { name: "answer", label: t("admin.kb.answer"), type: "textarea", value: a?.answer, required: true, rows: 6, wide: true },
    { name: "category_code", label: t("admin.kb.category"), value: a ? a.category_code : "A1301", maxlength: 16 },
    {
      name: "department_code", label: t("admin.kb.department"), type: "select", blank: t("admin.none_option"),
      options: departments.map((d) => [d.code, `${d.name} (${d.code})`]), value: a?.department_code ?? "",
    },
    { name: "active", label: t("admin.kb.active"), type: "checkbox", value: a ? a.active : true },
  ];
}

function body(v) {
  const dept = departments.find((d) => d.code === v.department_code);
  return {
    title: v.title,
    keywords: v.keywords.split(/[\s,，、;；]+/).filter(Boolean),
    answer: v.answer,
    category_code: v.category_code || null,
    department_code: v.department_code || null,
    department_name: dept?.name ?? null,
    active: v.active,
  };
}

function create() {
  openForm({
    title: t("admin.kb.create"),
    fields: [{ name: "code", label: t("admin.kb.code"), required: true, maxlength: 32 }, ...fields(null)],
    submitKey: "admin.create",
    submit: async (v) => {
      articles.push(await api("/api/v1/knowledge", { method: "POST", body: { code: v.code, ...body(v) } }));
      render();
      flash(t("admin.saved"), "ok");
    },
  });
}

function edit(a) {
  openForm({
    title: t("admin.kb.edit", { code: a.code }),
    fields: fields(a),
    submit: async (v) => {
      const saved = await api(`/api/v1/knowledge/${encodeURIComponent(a.code)}`, { method: "PUT", body: body(v) });
      articles = articles.map((x) => (x.code === saved.code ? saved : x));
      render();
      flash(t("admin.saved"), "ok");
    },
  });
}

export async function mount(root) {
  panel = root;
  clear(
    root,
    h("div", { class: "panel-head" }, h("h2", { text: t("admin.tab.knowledge") }), button("admin.kb.create", create, "btn btn-primary", { id: "kb-create" })),
    toolbar(searchBox("kb-search", (value) => ((text = value), render()))),
    h("div", { class: "admin-list" }),
  );
  await load();
}
