// 部门: list with search and kind filter, create, edit, deactivate and reactivate.
import { api } from "../api.js";
import { clear, flash, h } from "../dom.js";
import { t } from "../i18n.js";
import {
  actions, activeChip, button, confirmStep, filterSelect, matches, openForm, searchBox, showFailure,
  table, toolbar,
} from "./ui.js";

const KINDS = ["city_department", "district_government", "street_office", "company"];
const state = { departments: [], text: "", kind: "" };
let panel;

const kindOptions = () => KINDS.map((k) => [k, t(`admin.dept.kind.${k}`)]);
const byId = (id) => state.departments.find((d) => d.id === id);

function render() {
  const rows = state.departments.filter(
    (d) => matches(state.text, d.code, d.name, d.area_code, d.phone) && (!state.kind || d.kind === state.kind),
  );
  clear(
    panel.querySelector(".admin-list"),
    h("p", { class: "muted small", "aria-live": "polite", text: t("admin.count", { shown: rows.length, total: state.departments.length }) }),
    table(
      [
        { key: "admin.dept.code", cell: (d) => h("strong", { text: d.code }), class: "nowrap" },
        { key: "admin.dept.name", cell: (d) => d.name },
        { key: "admin.dept.kind", cell: (d) => t(`admin.dept.kind.${d.kind}`) },
        { key: "admin.dept.area", cell: (d) => d.area_code || "—", class: "nowrap" },
        { key: "admin.dept.parent", cell: (d) => (d.parent_id ? (byId(d.parent_id)?.name ?? d.parent_id) : "—") },
        { key: "admin.dept.phone", cell: (d) => d.phone || "—", class: "nowrap" },
        { key: "admin.status", cell: (d) => activeChip(d.active) },
        {
          key: "admin.actions",
          cell: (d) =>
            actions(
              button("admin.edit", () => editDepartment(d), "btn btn-small", { "aria-label": `${t("admin.edit")} ${d.name}` }),
              d.active
                ? button("admin.disable", () => setActive(d, false), "btn btn-small btn-warn-outline", { "aria-label": `${t("admin.disable")} ${d.name}` })
                : button("admin.enable", () => setActive(d, true), "btn btn-small", { "aria-label": `${t("admin.enable")} ${d.name}` }),
            ),
        },
      ],
      rows,
      { rowProps: (d) => ({ dataset: { department: d.code }, class: d.active ? "" : "row-inactive" }) },
    ),
  );
}

async function load() {
  try {
    state.departments = await api("/api/v1/departments");
    render();
  } catch (err) {
    showFailure(err);
  }
}

function createDepartment() {
  openForm({
    title: t("admin.dept.create"),
    fields: [
      { name: "code", label: t("admin.dept.code"), required: true, maxlength: 40, help: t("admin.dept.code_help") },
      { name: "name", label: t("admin.dept.name"), required: true, maxlength: 120 },
      { name: "kind", label: t("admin.dept.kind"), type: "select", options: kindOptions(), value: "city_department" },
      { name: "area_code", label: t("admin.dept.area"), maxlength: 24, help: t("admin.dept.area_help") },
      {
        name: "parent_code", label: t("admin.dept.parent"), type: "select", blank: t("admin.none_option"),
        options: state.departments.filter((d) => d.active).map((d) => [d.code, `${d.name} (${d.code})`]),
      },
      { name: "phone", label: t("admin.dept.phone"), type: "tel", maxlength: 40 },
    ],
    submitKey: "admin.create",
    submit: async (v) => {
      const created = await api("/api/v1/departments", {
        method: "POST",
        body: {
          code: v.code,
          name: v.name,
          kind: v.kind,
          area_code: v.area_code || null,
          parent_code: v.parent_code || null,
          phone: v.phone || null,
        },
      });
      state.departments.push(created);
      render();
      flash(t("admin.dept.created", { name: created.name }), "ok");
    },
  });
}

function editDepartment(d) {
  openForm({
    title: t("admin.dept.edit", { name: d.name }),
    fields: [
      { name: "name", label: t("admin.dept.name"), value: d.name, required: true, maxlength: 120 },
      { name: "area_code", label: t("admin.dept.area"), value: d.area_code, maxlength: 24, help: t("admin.dept.area_help") },
      { name: "phone", label: t("admin.dept.phone"), type: "tel", value: d.phone, maxlength: 40 },
    ],
    submit: async (v) => {
      const body = { name: v.name, phone: v.phone || null };
      if (v.area_code) body.area_code = v.area_code;
      replace(await api(`/api/v1/departments/${d.id}`, { method: "PATCH", body }));
      flash(t("admin.saved"), "ok");
    },
  });
}

async function setActive(d, active) {
  if (!active && !(await confirmStep(t("admin.dept.disable_title", { name: d.name }), t("admin.dept.disable_text"), "admin.disable"))) return;
  try {
    replace(await api(`/api/v1/departments/${d.id}`, { method: "PATCH", body: { active } }));
    flash(t("admin.saved"), "ok");
  } catch (err) {
    showFailure(err);
  }
}

function replace(saved) {
  state.departments = state.departments.map((x) => (x.id === saved.id ? saved : x));
  render();
}

export async function mount(root) {
  panel = root;
  clear(
    root,
    h("div", { class: "panel-head" }, h("h2", { text: t("admin.tab.departments") }), button("admin.dept.create", createDepartment, "btn btn-primary", { id: "dept-create" })),
    toolbar(
      searchBox("dept-search", (text) => ((state.text = text), render())),
      filterSelect("dept-kind", "admin.dept.kind", kindOptions(), (v) => ((state.kind = v), render())),
    ),
    h("div", { class: "admin-list" }),
  );
  await load();
}
