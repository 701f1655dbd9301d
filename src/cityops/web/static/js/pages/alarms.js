// 告警台: the alarms, the active ones first, with counts per severity, filters kept in the URL,
// one-click handling (确认, 清除, 指派, 备注) for the roles the API lets act, group alarms that
// open to their member devices, and an alarm's history in a side panel. New alarms arrive
// through the live event stream (the list is read again on each alarm event) and are
// highlighted; while the stream is down the page polls every 10 s. A mark in the header says
// which and when it last looked.
import { api } from "../api.js";
import { openEvents } from "../events.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { onLangChange, t, tOr } from "../i18n.js";
import { areaFeatures, fillSelect as fill } from "../options.js";
import { hasRole, startPage } from "../shell.js";

export const SEVERITIES = ["critical", "major", "minor", "warning"];
const KINDS = ["rule", "offline", "group", "area", "fault"];
const SORTS = ["severity", "last", "first", "count"];
const FIELDS = ["state", "severity", "kind", "area", "acked", "assignee", "sort"];
const POLL_MS = 10_000;
const SAFETY_MS = 60_000; // with the stream live: read again now and then (repeats are not events)
const ALARM_EVENTS = ["sensing.alarm_raised", "sensing.alarm_cleared", "sensing.alarm_escalated",
  "sensing.alarm_severity_changed", "sensing.alarm_acknowledged", "sensing.alarm_case_opened", "reset"];
const LIMIT = 500;

const user = await startPage();
const board = document.getElementById("alarm-board");
const form = document.getElementById("alarm-filters");
const dialog = document.getElementById("alarm-dialog");
const panel = document.getElementById("alarm-panel");
const canAct = board ? hasRole(user, ...board.dataset.handlers.split(" ")) : false;
let areaNames = new Map();
let areaPairs = [];
let seen = null; // alarm ids shown so far (null before the first load)
let fresh = new Set();
let rows = [];
let active = [];
let activeTotal = 0;
let expanded = new Set();
let openId = null;
let lastLook = null;
let streamState = "connecting";
let soonTimer = null;

function filtersFromUrl() {
  const params = new URLSearchParams(location.search);
  const f = Object.fromEntries(FIELDS.map((k) => [k, params.get(k) ?? ""]));
  f.state ||= "active";
  f.sort ||= "severity";
  return f;
}

function setFilters(f) {
  const params = new URLSearchParams();
  for (const k of FIELDS) if (f[k] && !(k === "state" && f[k] === "active") && !(k === "sort" && f[k] === "severity")) params.set(k, f[k]);
  history.replaceState(null, "", `/console/alarms${params.size ? `?${params}` : ""}`);
  render();
  load();
}

function fillFilters() {
  const f = filtersFromUrl();
  // a select the user is in is left alone (a refresh would close it)
  const fillSelect = (select, pairs, opts) => (document.activeElement === select ? null : fill(select, pairs, opts));
  const any = t("alarms.any");
  fillSelect(form.state, ["active", "cleared", "all"].map((s) => [s, t(`alarms.state.${s}`)]), { value: f.state });
  fillSelect(form.severity, SEVERITIES.map((s) => [s, t(`alarms.sev.${s}`)]), { any, value: f.severity });
  fillSelect(form.kind, KINDS.map((k) => [k, t(`alarms.kind.${k}`)]), { any, value: f.kind });
  fillSelect(form.area, areaPairs, { any, value: f.area });
  fillSelect(form.acked, [["no", t("alarms.unacked")], ["yes", t("alarms.acked")]], { any, value: f.acked });
  fillSelect(form.sort, SORTS.map((s) => [s, t(`alarms.sort.${s}`)]), { value: f.sort });
  if (document.activeElement !== form.assignee) form.assignee.value = f.assignee;
}

function areaName(code) {
  for (let n = code.length; n > 0; n--) {
    const name = areaNames.get(code.slice(0, n));
    if (name) return name;
  }
  return code || "—";
}

const sevRank = (s) => SEVERITIES.indexOf(s);
const ORDER = {
  severity: (a, b) => b.active - a.active || sevRank(a.severity) - sevRank(b.severity) || b.last_at.localeCompare(a.last_at),
  last: (a, b) => b.last_at.localeCompare(a.last_at),
  first: (a, b) => b.first_at.localeCompare(a.first_at),
  count: (a, b) => b.count - a.count || b.last_at.localeCompare(a.last_at),
};

function shown() {
  const f = filtersFromUrl();
  const who = f.assignee.trim().toLowerCase();
  return rows
    .filter((a) => !f.kind || (f.kind === "fault" ? a.fault !== "" : a.kind === f.kind))
    .filter((a) => !f.acked || a.acked === (f.acked === "yes"))
    .filter((a) => !who || a.assignee.toLowerCase().includes(who))
    .sort(ORDER[f.sort] ?? ORDER.severity);
}

async function load({ background = false } = {}) {
  const f = filtersFromUrl();
  const query = { severity: f.severity || undefined, area: f.area || undefined, limit: LIMIT };
  if (f.kind && f.kind !== "fault") query.kind = f.kind;
  try {
    const [mine, all] = await Promise.all([
      f.state === "active" ? null : api("/api/v1/alarms", { query: { ...query, active: f.state === "all" ? undefined : false }, background }),
      api("/api/v1/alarms", { query: { active: true, limit: LIMIT }, background }),
    ]);
    active = all.items;
    activeTotal = all.total;
    const list = mine ?? { items: active.filter((a) => (!f.severity || a.severity === f.severity) && (!f.kind || f.kind === "fault" || a.kind === f.kind) && (!f.area || a.area_code.startsWith(f.area))), total: null };
    rows = list.items;
    const ids = new Set([...active, ...rows].map((a) => a.id));
    fresh = seen === null ? new Set() : new Set([...ids].filter((id) => !seen.has(id)));
    seen = new Set([...(seen ?? []), ...ids]);
    lastLook = new Date();
    render();
    if (openId !== null && background) await showPanel(openId, { quiet: true });
  } catch (err) {
    if (!background) clear(document.getElementById("alarm-table"), h("p", { class: "error", text: err.message }));
  }
}

function sevChip(severity) {
  return h("span", { class: `chip sev sev-${severity}`, text: t(`alarms.sev.${severity}`) });
}

function renderCounts() {
  const f = filtersFromUrl();
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const a of active) counts[a.severity] += 1;
  clear(
    document.getElementById("sev-counts"),
    SEVERITIES.map((s) =>
      h(
        "button",
        {
          type: "button",
          class: `sev-count sev-${s}`,
          "aria-pressed": String(f.severity === s),
          dataset: { severity: s },
          onclick: () => setFilters({ ...filtersFromUrl(), severity: f.severity === s ? "" : s }),
        },
        h("span", { class: "sev-count-value", text: String(counts[s]) }),
        h("span", { class: "sev-count-label", text: t(`alarms.sev.${s}`) }),
      ),
    ),
    activeTotal > active.length ? h("p", { class: "muted small", text: t("alarms.more_active", { n: activeTotal }) }) : null,
  );
}

function actionButtons(a) {
  if (!canAct) return null;
  const b = (key, fn, cls = "btn btn-small") => h("button", { type: "button", class: cls, dataset: { act: key }, text: t(`alarms.act.${key}`), onclick: fn });
  return h(
    "div",
    { class: "row-actions" },
    !a.acked ? b("ack", () => act(a, "ack"), "btn btn-small btn-primary") : null,
    a.active ? b("clear", () => act(a, "clear")) : null,
    b("assign", () => assignDialog(a)),
    b("comment", () => commentDialog(a)),
  );
}

function titleCell(a) {
  const parts = [h("button", { type: "button", class: "linklike alarm-title", text: a.title || a.rule_code, onclick: () => showPanel(a.id) })];
  if (a.kind !== "rule") parts.push(" ", h("span", { class: "chip chip-off", text: t(`alarms.kind.${a.kind}`) }));
  if (a.fault) parts.push(" ", h("span", { class: "chip chip-off", text: t("alarms.kind.fault") }));
  if (a.flapping) parts.push(" ", h("span", { class: "chip flap", title: t("alarms.flapping_help"), text: t("alarms.flapping") }));
  if (a.kind === "group" && a.members.length) {
    const open = expanded.has(a.id);
    parts.push(
      h("div", {},
        h("button", {
          type: "button", class: "linklike small", "aria-expanded": String(open), dataset: { members: a.id },
          text: t(open ? "alarms.members_hide" : "alarms.members_show", { n: a.members.length }),
          onclick: () => { open ? expanded.delete(a.id) : expanded.add(a.id); render(); },
        }),
        open ? h("ul", { class: "members" }, a.members.map((m) => h("li", {}, deviceLink(m)))) : null,
      ),
    );
  }
  return h("div", {}, parts);
}

const deviceLink = (code) => (code ? h("a", { href: `/console/devices/${encodeURIComponent(code)}`, text: code }) : "—");
// an area's alarm has no device: the column names where it came from (城市体征 …)
const origin = (a) => tOr(`alarms.origin.${a.group_key.split(":")[0]}`, "—");
const deviceCell = (a) => (a.kind === "group" ? a.gateway_code || "—" : a.kind === "area" ? origin(a) : deviceLink(a.device_code));

function caseCell(a) {
  if (!a.case_id) return "—";
  return h("span", {}, h("a", { href: `/cases/${a.case_id}`, class: "case-link", text: `#${a.case_id}` }), " ",
    a.case_status ? h("span", { class: `chip status status-${a.case_status}`, text: t(`status.${a.case_status}`) } ) : null);
}

const COLUMNS = [
  { key: "alarms.severity", cell: (a) => sevChip(a.severity) },
  { key: "alarms.alarm", cell: titleCell, class: "cell-title" },
  { key: "alarms.device", cell: deviceCell, class: "cell-device" },
  { key: "alarms.area", cell: (a) => areaName(a.area_code) },
  { key: "alarms.first_at", cell: (a) => formatTime(a.first_at), class: "nowrap" },
  { key: "alarms.last_at", cell: (a) => formatTime(a.last_at), class: "nowrap" },
  { key: "alarms.count", cell: (a) => String(a.count), class: "num" },
  { key: "alarms.escalation", cell: (a) => (a.escalation ? t("alarms.level", { n: a.escalation }) : "—") },
  { key: "alarms.state", cell: (a) => h("span", {}, h("span", { class: `chip ${a.active ? "chip-on" : "chip-off"}`, text: t(a.active ? "alarms.active" : "alarms.cleared") }), " ", h("span", { class: "chip chip-off", text: t(a.acked ? "alarms.acked" : "alarms.unacked") })), class: "cell-state" },
  { key: "alarms.assignee", cell: (a) => a.assignee || "—" },
  { key: "alarms.case", cell: caseCell },
  { key: "alarms.actions", cell: (a) => actionButtons(a) ?? "—" },
];

function render() {
  fillFilters();
  renderCounts();
  const list = shown();
  document.getElementById("alarm-count").textContent = t("alarms.count_text", { n: list.length });
  const box = document.getElementById("alarm-table");
  box.classList.remove("skeleton");
  if (!list.length) return clear(box, h("p", { class: "muted", text: t("alarms.none") }));
  const table = h("table", { class: "table admin-table alarm-table" },
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col", text: t(c.key) })))),
    h("tbody", {}, list.map((a) => h("tr", {
      dataset: { alarm: a.id, severity: a.severity, deviceRow: a.device_code || a.group_key },
      class: [`sev-${a.severity}`, fresh.has(a.id) ? "row-fresh" : "", a.active ? "" : "row-inactive", openId === a.id ? "row-open" : ""].filter(Boolean).join(" "),
    }, COLUMNS.map((c) => {
      const content = c.cell(a);
      return h("td", { class: [c.class, content === "—" ? "cell-empty" : ""].filter(Boolean).join(" ") || undefined, "data-label": t(c.key) }, h("div", { class: "cell" }, content));
    })))));
  clear(box, h("div", { class: "table-wrap" }, table));
  renderLive();
}

function renderLive() {
  const mark = document.getElementById("live");
  if (!mark) return;
  const time = lastLook ? lastLook.toLocaleTimeString(document.documentElement.lang, { hour12: false }) : "—";
  const live = streamState === "live";
  mark.dataset.status = live ? "live" : "polling";
  clear(mark, h("span", { class: "live-dot", "aria-hidden": "true" }), t(live ? "alarms.live_stream" : "alarms.live", { time }));
}

/** Read the list again shortly (alarm events come in bursts: one read for a burst). */
function soon() {
  clearTimeout(soonTimer);
  soonTimer = setTimeout(() => load({ background: true }), 300);
}

async function act(a, action, body) {
  try {
    await api(`/api/v1/alarms/${a.id}/${action}`, { method: "POST", body });
    flash(t(`alarms.done.${action}`), "ok");
  } catch (err) {
    flash(err.message, "error");
  }
  await load();
  if (openId === a.id) await showPanel(a.id, { quiet: true });
}

function openDialog(titleKey, a, body, onSubmit) {
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const formEl = h("form", { class: "dialog-form", method: "dialog" },
    h("div", { class: "dialog-head" },
      h("h2", { id: "alarm-dialog-title", text: t(titleKey) }),
      h("button", { type: "button", class: "btn btn-ghost dialog-x", "aria-label": t("alarms.close"), text: "×", onclick: () => dialog.close() })),
    h("p", { class: "muted", text: `${a.title || a.rule_code} · ${a.device_code || a.group_key}` }),
    body, error,
    h("div", { class: "form-buttons" },
      h("button", { type: "submit", class: "btn btn-primary", text: t("alarms.save") }),
      h("button", { type: "button", class: "btn", text: t("alarms.cancel"), onclick: () => dialog.close() })));
  formEl.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await onSubmit(ev.submitter);
      dialog.close();
    } catch (err) {
      error.hidden = false;
      error.textContent = err.message;
    }
  });
  clear(dialog, formEl);
  dialog.showModal();
}

function assignDialog(a) {
  const names = new Set([user.username, ...rows.map((r) => r.assignee), ...active.map((r) => r.assignee)].filter(Boolean));
  const input = h("input", { id: "assign-to", name: "assignee", list: "assign-list", autocomplete: "off", maxlength: 80, value: a.assignee });
  const body = h("div", { class: "field" },
    h("label", { for: "assign-to", text: t("alarms.assignee") }), input,
    h("datalist", { id: "assign-list" }, [...names].map((n) => h("option", { value: n }))),
    h("div", { class: "row-actions" },
      h("button", { type: "button", class: "btn btn-small", text: t("alarms.assign_me"), onclick: () => { input.value = user.username; } }),
      h("button", { type: "button", class: "btn btn-small", text: t("alarms.unassign"), onclick: () => { input.value = ""; } })));
  openDialog("alarms.act.assign", a, body, async () => {
    await api(`/api/v1/alarms/${a.id}/assign`, { method: "POST", body: { assignee: input.value.trim() || null } });
    flash(t("alarms.done.assign"), "ok");
    await load();
    if (openId === a.id) await showPanel(a.id, { quiet: true });
  });
  input.focus();
}

function commentDialog(a) {
  const text = h("textarea", { id: "comment-text", name: "text", rows: 4, maxlength: 2000, required: true });
  const body = h("div", { class: "field" }, h("label", { for: "comment-text", text: t("alarms.comment") }), text);
  openDialog("alarms.act.comment", a, body, async () => {
    await api(`/api/v1/alarms/${a.id}/comments`, { method: "POST", body: { text: text.value } });
    flash(t("alarms.done.comment"), "ok");
    if (openId === a.id) await showPanel(a.id, { quiet: true });
  });
  text.focus();
}

async function showPanel(id, { quiet = false } = {}) {
  openId = id;
  panel.hidden = false;
  let a;
  try {
    a = await api(`/api/v1/alarms/${id}`, { background: quiet });
  } catch (err) {
    clear(panel, h("p", { class: "error", text: err.message }));
    return;
  }
  const dl = (pairs) => h("dl", { class: "detail-grid" }, pairs.map(([k, v]) => [h("dt", { text: t(k) }), h("dd", {}, v)]));
  clear(panel,
    h("div", { class: "panel-head" },
      h("h2", { id: "alarm-panel-title", text: a.title || a.rule_code }),
      h("button", { type: "button", class: "btn btn-ghost dialog-x", "aria-label": t("alarms.close"), text: "×", onclick: () => { panel.hidden = true; openId = null; render(); } })),
    dl([
      ["alarms.severity", sevChip(a.severity)],
      ["alarms.rule", a.rule_code ? h("a", { href: `/console/rules#${encodeURIComponent(a.rule_code)}`, text: `${a.rule_code} v${a.rule_version ?? "—"}` }) : "—"],
      ["alarms.device", deviceCell(a)],
      ["alarms.values", Object.entries(a.values).map(([k, v]) => `${k} = ${v}`).join(", ") || "—"],
      ["alarms.acked_by", a.acked ? `${a.acked_by} ${formatTime(a.acked_at)}` : "—"],
      ["alarms.cleared_at", formatTime(a.cleared_at)],
    ]),
    h("h3", { text: t("alarms.history") }),
    h("ol", { class: "timeline", id: "alarm-history" }, a.history.map((line) =>
      h("li", { class: "timeline-item", dataset: { action: line.action } },
        h("div", { class: "timeline-head" }, h("strong", { text: tOr(`alarms.line.${line.action}`, line.action) }), " ", h("span", { class: "muted small", text: `${formatTime(line.at)} ${line.actor}` })),
        line.note ? h("p", { class: "timeline-note", text: line.note }) : null))),
    actionButtons(a));
  if (!quiet) {
    render();
    if (matchMedia("(max-width: 900px)").matches) panel.scrollIntoView({ block: "start" });
  }
}

if (board) {
  board.hidden = false;
  form.addEventListener("change", () => setFilters(Object.fromEntries(FIELDS.map((k) => [k, form[k].value]))));
  form.addEventListener("submit", (ev) => ev.preventDefault());
  dialog.addEventListener("close", () => clear(dialog));
  try {
    const [districts, streets] = await Promise.all([areaFeatures("district"), areaFeatures("street")]);
    const all = [...districts, ...streets].map((f) => f.properties);
    areaNames = new Map(all.map((p) => [p.code, p.name]));
    areaPairs = all.sort((x, y) => x.code.localeCompare(y.code)).map((p) => [p.code, p.level === "street" ? `— ${p.name}` : p.name]);
  } catch {
    /* the area names are a nicety: codes are shown without them */
  }
  onLangChange(() => { render(); if (openId !== null) showPanel(openId, { quiet: true }); });
  await load();
  const stream = openEvents({ topics: ["alarm"] });
  for (const name of ALARM_EVENTS) stream.on(name, soon);
  stream.onStatus((state) => {
    const back = state === "live" && streamState !== "live";
    streamState = state;
    renderLive();
    if (back) soon(); // what happened while it was down
  });
  setInterval(() => {
    if (document.hidden) return;
    if (streamState !== "live" || Date.now() - (lastLook?.getTime() ?? 0) >= SAFETY_MS) load({ background: true });
  }, POLL_MS);
}
