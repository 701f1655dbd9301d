// 用户: list with search and filters, create, edit roles/areas/department, reset the password
// (generated and shown once, or typed by the administrator), disable and enable.
import { api } from "../api.js";
import { clear, flash, h } from "../dom.js";
import { t } from "../i18n.js";
import {
  actions, activeChip, button, chip, confirmStep, filterSelect, matches, openForm, searchBox,
  secretBox, showFailure, table, toolbar,
} from "./ui.js";

export const ROLES = ["operator", "dispatcher", "shift_leader", "handler", "inspector", "leader", "admin"];
const state = { users: [], departments: [], text: "", role: "", department: "", status: "" };
let panel;

/** A password for a one-time hand-over: 14 characters from an alphabet without look-alikes. */
export function generatePassword(length = 14) {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

const roleOptions = () => ROLES.map((r) => [r, t(`role.${r}`)]);
const deptOptions = () => state.departments.map((d) => [d.code, `${d.name} (${d.code})`]);
const deptName = (code) => state.departments.find((d) => d.code === code)?.name ?? code ?? "—";
const codesOf = (text) => text.split(/[\s,，;；]+/).filter(Boolean);

function visible() {
  return state.users.filter(
    (u) =>
      matches(state.text, u.username, u.display_name, u.phone, u.department_code, deptName(u.department_code), ...u.area_codes) &&
      (!state.role || u.roles.includes(state.role)) &&
      (!state.department || u.department_code === state.department) &&
      (!state.status || String(u.active) === state.status),
  );
}

function render() {
  const rows = visible();
  clear(
    panel.querySelector(".admin-list"),
    h("p", { class: "muted small", "aria-live": "polite", text: t("admin.count", { shown: rows.length, total: state.users.length }) }),
    table(
      [
        { key: "admin.user.username", cell: (u) => h("strong", { text: u.username }) },
        { key: "admin.user.display_name", cell: (u) => u.display_name || "—" },
        { key: "admin.user.roles", cell: (u) => h("span", { class: "chips-inline" }, u.roles.map((r) => chip(t(`role.${r}`), "status"))) },
        { key: "admin.user.department", cell: (u) => (u.department_code ? deptName(u.department_code) : "—") },
        { key: "admin.user.areas", cell: (u) => (u.area_codes.length ? u.area_codes.join(", ") : "—"), class: "cell-codes" },
        { key: "admin.user.phone", cell: (u) => u.phone || "—", class: "nowrap" },
        { key: "admin.status", cell: (u) => activeChip(u.active) },
        {
          key: "admin.actions",
          cell: (u) =>
            actions(
              button("admin.edit", () => editUser(u), "btn btn-small", { "aria-label": `${t("admin.edit")} ${u.username}` }),
              button("admin.user.reset", () => resetPassword(u), "btn btn-small", { "aria-label": `${t("admin.user.reset")} ${u.username}` }),
              u.active
                ? button("admin.disable", () => setActive(u, false), "btn btn-small btn-warn-outline", { "aria-label": `${t("admin.disable")} ${u.username}` })
                : button("admin.enable", () => setActive(u, true), "btn btn-small", { "aria-label": `${t("admin.enable")} ${u.username}` }),
            ),
        },
      ],
      rows,
      { rowProps: (u) => ({ dataset: { user: u.username }, class: u.active ? "" : "row-inactive" }) },
    ),
  );
}

async function load() {
  try {
    const [users, departments] = await Promise.all([api("/api/v1/users"), api("/api/v1/departments")]);
    state.users = users;
    state.departments = departments;
    render();
  } catch (err) {
    showFailure(err);
  }
}

function userFields(u) {
  return [
    { name: "display_name", label: t("admin.user.display_name"), value: u?.display_name, maxlength: 120 },
    { name: "roles", label: t("admin.user.roles"), type: "checkboxes", options: roleOptions(), value: u?.roles ?? [] },
    { name: "department_code", label: t("admin.user.department"), type: "select", blank: t("admin.none_option"), options: deptOptions(), value: u?.department_code ?? "" },
    { name: "area_codes", label: t("admin.user.areas"), value: (u?.area_codes ?? []).join(", "), help: t("admin.user.areas_help"), wide: true },
    { name: "phone", label: t("admin.user.phone"), type: "tel", value: u?.phone, maxlength: 40 },
  ];
}

function checkRoles(values) {
  if (!values.roles.length) throw new Error(t("admin.user.roles_required"));
}

function createUser() {
  const password = generatePassword();
  openForm({
    title: t("admin.user.create"),
    fields: [
      { name: "username", label: t("admin.user.username"), required: true, maxlength: 64 },
      ...userFields(null),
      { name: "password", label: t("admin.user.password"), value: password, help: t("admin.user.password_help"), required: true, maxlength: 200 },
    ],
    submitKey: "admin.create",
    submit: async (v) => {
      checkRoles(v);
      const created = await api("/api/v1/users", {
        method: "POST",
        body: {
          username: v.username,
          password: v.password,
          roles: v.roles,
          display_name: v.display_name,
          department_code: v.department_code || null,
          area_codes: codesOf(v.area_codes),
          phone: v.phone || null,
        },
      });
      state.users.push(created);
      render();
      flash(t("admin.user.created", { username: created.username }), "ok");
      return secretBox("admin.user.password_once", v.password);
    },
  });
}

function editUser(u) {
  openForm({
    title: t("admin.user.edit", { username: u.username }),
    fields: userFields(u),
    submit: async (v) => {
      checkRoles(v);
      const saved = await api(`/api/v1/users/${u.id}`, {
        method: "PATCH",
        body: {
          display_name: v.display_name,
          roles: v.roles,
          department_code: v.department_code || null,
          area_codes: codesOf(v.area_codes),
          phone: v.phone || null,
        },
      });
      replace(saved);
      flash(t("admin.saved"), "ok");
    },
  });
}

function resetPassword(u) {
  openForm({
    title: t("admin.user.reset_title", { username: u.username }),
    intro: t("admin.user.reset_intro"),
    fields: [{ name: "password", label: t("admin.user.new_password"), value: generatePassword(), help: t("admin.user.password_help"), required: true, maxlength: 200 }],
    submitKey: "admin.user.reset",
    submit: async (v) => {
      const saved = await api(`/api/v1/users/${u.id}`, { method: "PATCH", body: { password: v.password } });
      replace(saved);
      return secretBox("admin.user.password_once", v.password);
    },
  });
}

async function setActive(u, active) {
  // disabling signs the user out and stops their work: asked first; enabling is not
  if (!active) {
    const ok = await confirmStep(
      t("admin.user.disable_title", { username: u.username }),
      t("admin.user.disable_text"),
      "admin.disable",
    );
    if (!ok) return;
  }
  try {
    replace(await api(`/api/v1/users/${u.id}`, { method: "PATCH", body: { active } }));
    flash(t(active ? "admin.user.enabled" : "admin.user.disabled", { username: u.username }), "ok");
  } catch (err) {
    showFailure(err);
  }
}

function replace(saved) {
  state.users = state.users.map((x) => (x.id === saved.id ? saved : x));
  render();
}

export async function mount(root) {
  panel = root;
  clear(
    root,
    h("div", { class: "panel-head" }, h("h2", { text: t("admin.tab.users") }), button("admin.user.create", createUser, "btn btn-primary", { id: "user-create" })),
    toolbar(
      searchBox("user-search", (text) => ((state.text = text), render())),
      filterSelect("user-role", "admin.user.roles", roleOptions(), (v) => ((state.role = v), render())),
      filterSelect("user-status", "admin.status", [["true", t("admin.active")], ["false", t("admin.inactive")]], (v) => ((state.status = v), render())),
    ),
    h("div", { class: "admin-list" }),
  );
  await load();
  const deptFilter = filterSelect("user-dept", "admin.user.department", deptOptions(), (v) => ((state.department = v), render()));
  root.querySelector(".admin-toolbar").append(deptFilter);
}
