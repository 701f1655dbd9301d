// 案件详情: fields, area chain, map (point + area polygon), timeline, and the actions allowed now.
// The reporter's phone comes masked; a reader the case allows (may_reveal_contact) asks for it in
// clear with ?reveal=contact — the server writes an audit line each time — and gets a tel: link.
// Photos (the report's and the steps') show as thumbnails that open the viewer (photos.js).
import { api } from "../api.js";
import { actionForm, CAUTION, loadActions } from "../action_forms.js";
import { areaText, clear, clearFlash, flash, formatTime, h, slaChip, statusChip } from "../dom.js";
import { onLangChange, t, tOr } from "../i18n.js";
import { caseMarker, createMap, drawAreas, fitTo } from "../map.js";
import { departments } from "../options.js";
import { isPhoto, photoStrip } from "../photos.js";
import { loadRouting, renderRouting } from "../routing_panel.js";
import { startPage } from "../shell.js";

const caseId = Number(document.body.dataset.caseId);
const user = await startPage();
let state = { case: null, history: [], departments: null, open: null, routing: null, revealed: false };
let map = null;
let mapLayers = [];

async function load() {
  const [c, history] = await Promise.all([
    api(`/api/v1/cases/${caseId}`),
    api(`/api/v1/cases/${caseId}/history`).catch(() => []),
    loadActions().catch(() => {}),  // without them each form asks for a note only
  ]);
  state.case = c;
  state.revealed = false;  // read masked again
  state.history = Array.isArray(history) ? history : (history.items ?? []);
  if (c.allowed_actions?.includes("dispatch") && !state.departments) {
    state.departments = await departments().catch(() => []);
  }
  render();
  drawMap().catch(() => {});
  loadRouting(caseId, user).then((r) => {
    state.routing = r;
    renderRouting(document.getElementById("routing-card"), r, state.case);
  }).catch(() => {});
}

function render() {
  const c = state.case;
  if (!c) return;
  document.title = `${c.number} · ${t("app.name")}`;
  clear(document.getElementById("case-title"), c.number, " ", h("span", { class: "title-sub", text: c.title || "" }));
  clear(document.getElementById("case-chips"), statusChip(c.status), slaChip(c),
    c.urgency ? h("span", { class: `chip urgency-${c.urgency}`, text: t(`urgency.${c.urgency}`) }) : null,
    c.supervised ? h("span", { class: "chip chip-supervised", text: t("case.supervised") }) : null);
  renderFields(c);
  renderActions(c);
  renderTimeline();
  renderRouting(document.getElementById("routing-card"), state.routing, c);
}

/** Ask for the contact in clear (audited by the server): the case, then its history. */
async function revealContact(button) {
  button.disabled = true;
  clearFlash();
  try {
    state.case = await api(`/api/v1/cases/${caseId}`, { query: { reveal: "contact" } });
    const history = await api(`/api/v1/cases/${caseId}/history`, { query: { reveal: "contact" } });
    state.history = Array.isArray(history) ? history : (history.items ?? []);
    state.revealed = true;
    render();
    document.querySelector("#case-fields .phone-link, #action-panel .phone-link")?.focus();
  } catch (err) {
    button.disabled = false;
    flash(err.message, "error");
  }
}

/** The reporter's phone: masked with a 显示号码 button for those allowed, or a tel: link. */
function contactNodes(c) {
  const phone = c.reporter_phone;
  if (!phone) return ["—"];
  if (state.revealed) {
    return [h("a", { class: "phone-link", href: `tel:${phone.replace(/[^\d+]/g, "")}`, text: phone })];
  }
  return [h("span", { class: "phone-masked", text: phone }),
    c.may_reveal_contact
      ? h("button", { type: "button", class: "btn btn-small reveal-contact", text: t("case.reveal_contact"),
        title: t("case.reveal_help"), onclick: (ev) => revealContact(ev.currentTarget) })
      : null];
}

/** Every stored photo of the case: the report's first, then the steps' (results). */
function casePhotos() {
  const intake = [];
  const steps = [];
  for (const e of state.history) {
    const photos = (e.attachments ?? []).filter(isPhoto);
    (e.from_status ? steps : intake).push(...photos);
  }
  return { intake, steps };
}

function renderFields(c) {
  const rows = [
    ["case.number", c.number],
    ["case.source", t(`source.${c.source}`)],
    ["case.category", [c.category_code, c.category_name].filter(Boolean).join(" ")],
    ["case.kind", c.kind ? t(`kind.${c.kind}`) : "—"],
    ["case.description", c.description],
    ["case.address", c.address],
    ["case.area", areaText(c.area)],
    ["case.area_code", c.area_code],
    ["case.department", c.department?.name],
    ["case.suggested_department", c.suggested_department?.name],
    ["case.reporter_name", c.reporter_name],
    ["case.reporter_phone", contactNodes(c)],
    ["case.reported_at", formatTime(c.reported_at)],
    ["case.stage", c.stage ? t(`stage.${c.stage}`) : "—"],
    ["case.stage_deadline", formatTime(c.stage_deadline)],
    ["case.created_by", c.created_by],
  ];
  const dl = document.getElementById("case-fields");
  clear(dl, rows.map(([key, value]) =>
    h("div", { class: "field-row", "data-field": key }, h("dt", { text: t(key) }),
      Array.isArray(value) ? h("dd", {}, value) : h("dd", { text: value || "—" }))));
  const { intake, steps } = casePhotos();
  for (const [key, photos] of [["case.report_photos", intake], ["case.result_photos", steps]]) {
    if (!photos.length) continue;
    dl.append(h("div", { class: "field-row", "data-field": key }, h("dt", { text: t(key) }),
      h("dd", {}, photoStrip(photos, { label: t(key) }))));
  }
  const deadlines = Object.entries(c.deadlines ?? {}).filter(([, v]) => v);
  if (deadlines.length) {
    dl.append(h("div", { class: "field-row" }, h("dt", { text: t("case.deadlines") }),
      h("dd", {}, h("ul", { class: "plain" }, deadlines.map(([stage, at]) =>
        h("li", { text: `${t(`stage.${stage}`)}${t("form.colon")}${formatTime(at)}` }))))));
  }
}

function renderActions(c) {
  const buttons = document.getElementById("action-buttons");
  const allowed = c.allowed_actions ?? [];
  clear(buttons, allowed.length
    ? allowed.map((action) => h("button", {
      type: "button",
      class: `btn ${CAUTION.has(action) ? "btn-warn-outline" : "btn-action"}`,
      "data-action": action,
      "aria-expanded": String(state.open === action),
      "aria-controls": "action-panel",
      text: t(`action.${action}`),
      onclick: () => openAction(action),
    }))
    : h("p", { class: "muted", text: t("case.no_actions") }));
  const panel = document.getElementById("action-panel");
  if (!state.open || !allowed.includes(state.open)) {
    state.open = null;
    panel.replaceChildren();
    return;
  }
  const form = actionForm(state.open, { case: c, departments: state.departments ?? [] },
    (body) => submit(state.open, body), () => openAction(null));
  if (state.open === "evaluate" && c.reporter_phone) {
    // 回访: the number to call, next to the form that records the call
    form.querySelector("h3")?.after(h("p", { class: "contact-line" },
      h("span", { class: "muted", text: t("case.reporter_phone") + t("form.colon") }), contactNodes(c)));
  }
  panel.replaceChildren(form);
}

function openAction(action) {
  state.open = state.open === action ? null : action;
  renderActions(state.case);
  const first = document.querySelector("#action-panel input, #action-panel select, #action-panel textarea");
  if (first) first.focus();
  else if (!state.open) document.querySelector(`#action-buttons [data-action]`)?.focus();
}

async function submit(action, body) {
  clearFlash();
  try {
    await api(`/api/v1/cases/${caseId}/actions/${action}`, {
      method: "POST",
      body: { version: state.case.version, ...body },
    });
    state.open = null;
    await load();
    flash(t("case.action_done", { action: t(`action.${action}`) }), "ok");
  } catch (err) {
    if (err.status === 409) {
      // someone else acted first, or the action is no longer allowed: say so and show the case now
      state.open = null;
      await load();
      flash(err.message, "error");
      return;
    }
    throw err;
  }
}

function renderTimeline() {
  const list = document.getElementById("timeline");
  if (!state.history.length) {
    clear(list, h("li", { class: "muted", text: t("case.no_history") }));
    return;
  }
  clear(list, state.history.map((e) => {
    const action = e.action === "return_" ? "return" : e.action;
    // a line that changed no status (an audit line, a reminder) shows none
    const from = e.from_status && e.from_status !== e.to_status ? t(`status.${e.from_status}`) : null;
    const to = e.to_status && e.from_status !== e.to_status ? t(`status.${e.to_status}`) : null;
    const role = e.actor_role ?? e.role;
    const who = [e.actor_name, role ? tOr(`role.${role}`, role) : null].filter(Boolean).join(" · ");
    return h("li", { class: "timeline-item", "data-action": action },
      h("div", { class: "timeline-head" },
        h("strong", { text: tOr(`action.${action}`, tOr(`event.${action}`, action)) }),
        from || to ? h("span", { class: "transition", text: [from, to].filter(Boolean).join(" → ") }) : null,
        h("time", { datetime: e.at ?? e.occurred_at, text: formatTime(e.at ?? e.occurred_at) })),
      who ? h("div", { class: "muted", text: who }) : null,
      // the audit line's stored note is the server's English; its title says it all
      e.note && action !== "reveal_contact" ? h("p", { class: "timeline-note", text: e.note }) : null,
      detailsOf(e),
      photoStrip(e.attachments ?? []),
      (e.attachments ?? []).some((a) => !isPhoto(a))
        ? h("ul", { class: "plain small" }, e.attachments.filter((a) => !isPhoto(a)).map((a) => h("li", { text: a })))
        : null);
  }));
}

// A photo stored by the platform (kernel/media.py) shows as a thumbnail; anything else an older
// row may hold is shown as text, never as a link or a picture.

const yesNo = (v) => t(v ? "form.yes" : "form.no");
/** The history details worth showing, each with its label and how to print it. */
const DETAILS = [
  ["reason", "field.reason", String],
  ["department_name", "field.department_code", String],
  ["hours", "field.hours", String],
  ["into_case_id", "field.into_case_id", String],
  ["passed", "field.passed", yesNo],
  ["contacted", "field.contacted", yesNo],
  ["resolved", "field.resolved", yesNo],
  ["satisfaction", "field.satisfaction", (v) => t(`choice.${v}`)],
  ["reopen", "field.reopen", yesNo],
  ["on_time", "field.on_time", yesNo],
  ["article_code", "field.article_code", String],
  ["answer", "field.answer", String],
  ["stage_deadline", "field.next_deadline", (v) => formatTime(v)],
];

function detailsOf(e) {
  const data = e.data ?? {};
  const rows = DETAILS.filter(([key]) => data[key] !== undefined && data[key] !== null && data[key] !== "");
  if (!rows.length) return null;
  return h("ul", { class: "plain small details" }, rows.map(([key, label, show]) =>
    h("li", {}, h("span", { class: "muted", text: t(label) + t("form.colon") }), show(data[key]))));
}

async function drawMap() {
  const c = state.case;
  if (c.lon == null || c.lat == null) return;
  if (!map) map = createMap(document.getElementById("case-map"));
  for (const layer of mapLayers) layer.remove();
  mapLayers = [];
  const smallest = ["grid", "community", "street", "district"].map((l) => [l, c.area?.[l]]).find(([, a]) => a);
  const marker = caseMarker(map, c);
  mapLayers.push(marker);
  if (smallest) {
    const [, area] = smallest;
    const feature = await api(`/api/v1/areas/${encodeURIComponent(area.code)}`).catch(() => null);
    if (feature) {
      const polygon = drawAreas(map, { type: "FeatureCollection", features: [feature] }, { focusCode: area.code });
      mapLayers.push(polygon);
      marker.bringToFront();
      fitTo(map, polygon, 24);
      return;
    }
  }
  map.setView([c.lat, c.lon], 16);
}

onLangChange(render);
load().catch((err) => flash(err.message, "error"));
