// Webhooks: list with their state (active, paused by the circuit breaker), create (the secret is
// shown once), delete, and each one's deliveries with their status.
import { api } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { t, tOr } from "../i18n.js";
import { actions, button, chip, confirmStep, matches, openForm, searchBox, secretBox, showFailure, showResult, table, toolbar } from "./ui.js";

let panel;
let hooks = [];
let text = "";

function stateChip(w) {
  if (!w.active) return chip(t("admin.inactive"), "chip-off");
  if (w.paused_until) return chip(t("admin.hook.paused", { until: formatTime(w.paused_until) }), "sla-yellow");
  return chip(t("admin.active"), "chip-on");
}

function render() {
  const rows = hooks.filter((w) => matches(text, w.url, w.description, ...w.event_names));
  clear(
    panel.querySelector(".admin-list"),
    table(
      [
        { key: "admin.hook.url", cell: (w) => h("code", { class: "cell-url", text: w.url }) },
        { key: "admin.hook.events", cell: (w) => w.event_names.join(", ") },
        { key: "admin.hook.description", cell: (w) => w.description || "—" },
        { key: "admin.status", cell: (w) => [stateChip(w), w.failures_in_a_row ? h("span", { class: "small muted", text: ` ${t("admin.hook.failures", { n: w.failures_in_a_row })}` }) : null] },
        { key: "admin.hook.created", cell: (w) => `${formatTime(w.created_at)} · ${w.created_by}`, class: "nowrap" },
        {
          key: "admin.actions",
          cell: (w) =>
            actions(
              button("admin.hook.deliveries", () => deliveries(w), "btn btn-small", { "aria-label": `${t("admin.hook.deliveries")} ${w.url}` }),
              button("admin.delete", () => remove(w), "btn btn-small btn-warn-outline", { "aria-label": `${t("admin.delete")} ${w.url}` }),
            ),
        },
      ],
      rows,
      { empty: t("admin.hook.none"), rowProps: (w) => ({ dataset: { webhook: w.id } }) },
    ),
  );
}

async function load() {
  try {
    hooks = await api("/api/v1/webhooks");
    render();
  } catch (err) {
    showFailure(err);
  }
}

function createHook() {
  openForm({
    title: t("admin.hook.create"),
    fields: [
      { name: "url", label: t("admin.hook.url"), type: "url", required: true, placeholder: "https://", maxlength: 2000, wide: true },
      { name: "event_names", label: t("admin.hook.events"), value: "*", help: t("admin.hook.events_help"), wide: true },
      { name: "description", label: t("admin.hook.description"), maxlength: 200, wide: true },
      { name: "secret", label: t("admin.hook.secret"), help: t("admin.hook.secret_help"), maxlength: 200, wide: true },
    ],
    submitKey: "admin.create",
    submit: async (v) => {
      const body = {
        url: v.url,
        event_names: v.event_names.split(/[\s,，]+/).filter(Boolean),
        description: v.description,
      };
      if (v.secret) body.secret = v.secret;
      const created = await api("/api/v1/webhooks", { method: "POST", body });
      const { secret, ...hook } = created;
      hooks.push(hook);
      render();
      return secretBox("admin.hook.secret_once", secret);
    },
  });
}

async function remove(w) {
  if (!(await confirmStep(t("admin.hook.delete_title"), t("admin.hook.delete_text", { url: w.url }), "admin.delete"))) return;
  try {
    await api(`/api/v1/webhooks/${w.id}`, { method: "DELETE" });
    hooks = hooks.filter((x) => x.id !== w.id);
    render();
    flash(t("admin.hook.deleted"), "ok");
  } catch (err) {
    showFailure(err);
  }
}

async function deliveries(w) {
  try {
    const items = await api(`/api/v1/webhooks/${w.id}/deliveries`, { query: { limit: 100 } });
    showResult(
      t("admin.hook.deliveries_of", { url: w.url }),
      table(
        [
          { key: "admin.hook.event", cell: (d) => d.event_name },
          { key: "admin.status", cell: (d) => chip(tOr(`admin.delivery.${d.status}`, d.status), `delivery-${d.status}`) },
          { key: "admin.hook.attempts", cell: (d) => String(d.attempts), class: "num" },
          { key: "admin.hook.code", cell: (d) => (d.last_status_code ? String(d.last_status_code) : "—"), class: "num" },
          { key: "admin.hook.when", cell: (d) => formatTime(d.delivered_at ?? d.next_attempt_at), class: "nowrap" },
          { key: "admin.hook.error", cell: (d) => d.last_error || "—" },
        ],
        items,
        { empty: t("admin.hook.no_deliveries") },
      ),
    );
  } catch (err) {
    showFailure(err);
  }
}

export async function mount(root) {
  panel = root;
  clear(
    root,
    h("div", { class: "panel-head" }, h("h2", { text: t("admin.tab.webhooks") }), button("admin.hook.create", createHook, "btn btn-primary", { id: "hook-create" })),
    toolbar(searchBox("hook-search", (value) => ((text = value), render()))),
    h("div", { class: "admin-list" }),
  );
  await load();
}
