// Open311 keys: create (the key is shown once), revoke.
import { api } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { t } from "../i18n.js";
import { actions, activeChip, button, confirmStep, openForm, secretBox, showFailure, table } from "./ui.js";

let panel;
let keys = [];

function render() {
  clear(
    panel.querySelector(".admin-list"),
    table(
      [
        { key: "admin.key.name", cell: (k) => h("strong", { text: k.name }) },
        { key: "admin.status", cell: (k) => (k.active ? activeChip(true) : h("span", { class: "chip chip-off", text: t("admin.key.revoked") })) },
        { key: "admin.key.created_at", cell: (k) => formatTime(k.created_at), class: "nowrap" },
        { key: "admin.key.last_used_at", cell: (k) => formatTime(k.last_used_at), class: "nowrap" },
        { key: "admin.key.revoked_at", cell: (k) => formatTime(k.revoked_at), class: "nowrap" },
        {
          key: "admin.actions",
          cell: (k) => (k.active ? actions(button("admin.key.revoke", () => revoke(k), "btn btn-small btn-warn-outline", { "aria-label": `${t("admin.key.revoke")} ${k.name}` })) : "—"),
        },
      ],
      keys,
      { empty: t("admin.key.none"), rowProps: (k) => ({ dataset: { key: k.name }, class: k.active ? "" : "row-inactive" }) },
    ),
  );
}

async function load() {
  try {
    keys = await api("/api/v1/open311/keys");
    render();
  } catch (err) {
    showFailure(err);
  }
}

function createKey() {
  openForm({
    title: t("admin.key.create"),
    fields: [{ name: "name", label: t("admin.key.name"), required: true, maxlength: 60, help: t("admin.key.name_help") }],
    submitKey: "admin.create",
    submit: async (v) => {
      const created = await api("/api/v1/open311/keys", { method: "POST", body: { name: v.name } });
      keys.push(created);
      render();
      return secretBox("admin.key.once", created.api_key);
    },
  });
}

async function revoke(k) {
  if (!(await confirmStep(t("admin.key.revoke_title", { name: k.name }), t("admin.key.revoke_text"), "admin.key.revoke"))) return;
  try {
    const saved = await api(`/api/v1/open311/keys/${k.id}/revoke`, { method: "POST" });
    keys = keys.map((x) => (x.id === saved.id ? saved : x));
    render();
    flash(t("admin.key.revoked_done", { name: k.name }), "ok");
  } catch (err) {
    showFailure(err);
  }
}

export async function mount(root) {
  panel = root;
  clear(
    root,
    h("div", { class: "panel-head" }, h("h2", { text: t("admin.tab.open311") }), button("admin.key.create", createKey, "btn btn-primary", { id: "key-create" })),
    h("p", { class: "muted small", text: t("admin.key.lead") }),
    h("div", { class: "admin-list" }),
  );
  await load();
}
