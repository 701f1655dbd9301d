// 告警规则: the rules (code, name, scope, severity, on/off, version) and an editor for one — a
// form for the common rule and the YAML of the whole rule, both over the same saved rule (the
// API validates; its error is shown at the field or line it names) — with the versions, switching
// on and off, YAML export and import, and the backtest. Administrators edit; other staff read.
import { api, writeHeaders } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { areaFeatures, categories } from "../options.js";
import { backtestPanel } from "../rules/backtest.js";
import { clearFieldErrors, formBody, ruleForm, showFieldError, simpleRule } from "../rules/form.js";
import { lineOf, ruleYaml } from "../rules/yaml.js";
import { hasRole, startPage } from "../shell.js";

const user = await startPage();
const root = document.getElementById("rules");
const editor = document.getElementById("rule-editor");
const canEdit = root ? hasRole(user, ...root.dataset.editors.split(" ")) : false;
const options = { types: [], areas: [], metrics: [], categories: [] };
let rules = [];
let current = null; // {stored (null: a new rule), body, tab}

function scopeText(scope) {
  const parts = [];
  if (scope.device_type) parts.push(options.types.find(([v]) => v === scope.device_type)?.[1] ?? scope.device_type);
  if (scope.area) parts.push(options.areas.find(([v]) => v === scope.area)?.[1]?.replace(/^— /, "") ?? scope.area);
  if (scope.device) parts.push(scope.device);
  return parts.join(" · ") || "—";
}

async function loadList() {
  const box = document.getElementById("rule-list");
  try {
    rules = await api("/api/v1/alarm-rules");
  } catch (err) {
    clear(box, h("p", { class: "error", text: err.message }));
    return;
  }
  box.classList.remove("skeleton");
  if (!rules.length) return clear(box, h("p", { class: "muted", text: t("rules.none") }));
  const cols = [
    ["rules.code", (r) => h("a", { href: `#${encodeURIComponent(r.code)}`, class: "strong", text: r.code })],
    ["rules.name", (r) => r.body.name],
    ["rules.scope", (r) => scopeText(r.body.scope ?? {})],
    ["rules.severity", (r) => h("span", { class: `chip sev sev-${r.body.severity}`, text: t(`alarms.sev.${r.body.severity}`) })],
    ["rules.enabled", (r) => h("span", { class: `chip ${r.enabled ? "chip-on" : "chip-off"}`, text: t(r.enabled ? "rules.on" : "rules.off") })],
    ["rules.version", (r) => `v${r.version}`],
  ];
  clear(box, h("div", { class: "table-wrap" }, h("table", { class: "table admin-table", id: "rule-table" },
    h("thead", {}, h("tr", {}, cols.map(([k]) => h("th", { scope: "col", text: t(k) })))),
    h("tbody", {}, rules.map((r) => h("tr", { dataset: { rule: r.code }, class: current?.stored?.code === r.code ? "row-open" : undefined },
      cols.map(([k, cell]) => h("td", { "data-label": t(k) }, h("div", { class: "cell" }, cell(r))))))))));
}

async function openRule(code) {
  if (!code) {
    editor.hidden = true;
    current = null;
    return;
  }
  try {
    const stored = await api(`/api/v1/alarm-rules/${encodeURIComponent(code)}`);
    current = { stored, body: stored.body, tab: simpleRule(stored.body) ? "form" : "yaml" };
    renderEditor();
    loadList();
  } catch (err) {
    flash(err.message, "error");
  }
}

function newRule() {
  const body = { code: "", name: "", severity: "major", enabled: false, scope: {}, when: { threshold: { metric: "", op: ">", value: "" } }, for: "0s", clear_for: "0s" };
  current = { stored: null, body, tab: "form" };
  history.replaceState(null, "", "/console/rules");
  renderEditor();
}

function renderEditor() {
  const { stored, body } = current;
  const readOnly = !canEdit;
  const title = stored ? `${stored.code} · v${stored.version}` : t("rules.new");
  const tabs = ["form", "yaml"].map((tab) => h("button", {
    type: "button", role: "tab", id: `rule-tab-${tab}`, "aria-selected": String(current.tab === tab), text: t(`rules.tab.${tab}`),
    onclick: () => switchTab(tab),
  }));
  let view;
  if (current.tab === "form") {
    view = simpleRule(body)
      ? ruleForm(body, { isNew: !stored, readOnly, options })
      : h("p", { class: "muted", text: t("rules.form_compound") });
  } else view = yamlView(body, readOnly);
  const buttons = canEdit ? h("div", { class: "form-buttons" },
    h("button", { type: "button", id: "rule-save", class: "btn btn-primary", text: t(stored ? "rules.save" : "rules.create"), onclick: save, disabled: current.tab === "form" && !simpleRule(body) }),
    stored ? h("button", { type: "button", id: "rule-toggle", class: "btn", text: t(stored.enabled ? "rules.disable" : "rules.enable"), onclick: toggle }) : null,
    h("button", { type: "button", class: "btn", text: t("rules.close"), onclick: () => { history.replaceState(null, "", "/console/rules"); openRule(null); loadList(); } })) : null;
  clear(editor,
    h("div", { class: "panel-head" }, h("h2", { id: "rule-editor-title", text: title }),
      stored ? h("span", { class: `chip ${stored.enabled ? "chip-on" : "chip-off"}`, id: "rule-state", text: t(stored.enabled ? "rules.on" : "rules.off") }) : null),
    h("div", { class: "rule-tabs", role: "tablist", "aria-label": t("rules.views") }, tabs),
    h("div", { id: "rule-view", role: "tabpanel" }, view),
    buttons,
    stored ? versionsList(stored) : null,
    stored && canEdit ? backtestPanel(stored, options) : null);
  editor.hidden = false;
}

function yamlView(body, readOnly) {
  const text = ruleYaml(body);
  const area = h("textarea", { id: "rule-yaml", spellcheck: "false", "aria-label": t("rules.tab.yaml"), readonly: readOnly, rows: Math.max(14, text.split("\n").length + 1) });
  area.value = current.yamlText ?? text;
  const gutter = h("pre", { class: "yaml-lines", "aria-hidden": "true" });
  const numbers = () => clear(gutter, area.value.split("\n").map((_, i) => h("span", { dataset: { line: i + 1 } }, `${i + 1}\n`)));
  area.addEventListener("input", () => { current.yamlText = area.value; numbers(); });
  area.addEventListener("scroll", () => { gutter.scrollTop = area.scrollTop; });
  numbers();
  return h("div", { class: "stack" },
    h("div", { class: "yaml-edit" }, gutter, area),
    h("p", { id: "yaml-error", class: "field-error", role: "alert", hidden: true }));
}

function switchTab(tab) {
  if (tab === current.tab) return;
  if (current.tab === "yaml" && current.yamlText !== undefined && current.yamlText !== ruleYaml(current.body)) {
    flash(t("rules.yaml_unsaved"), "error");
    return;
  }
  if (current.tab === "form" && canEdit && simpleRule(current.body)) {
    current.body = formBody(document.getElementById("rule-form"), current.body);
  }
  current.tab = tab;
  current.yamlText = undefined;
  renderEditor();
}

/** The reason of an invalid_rule error, without the path it starts with. */
const reasonOf = (err, path) => (err.serverMessage ?? err.message).replace(`${path}: `, "");

async function save() {
  const { stored } = current;
  try {
    let saved;
    if (current.tab === "form") {
      const form = document.getElementById("rule-form");
      clearFieldErrors(form);
      const body = formBody(form, current.body);
      current.body = body;
      if (!body.code) return showFieldError(form, "code", t("rules.code_required"));
      saved = await api(`/api/v1/alarm-rules/${encodeURIComponent(body.code)}`, {
        method: "PUT", body: { body, expected_version: stored ? stored.version : 0 },
      });
    } else {
      const text = document.getElementById("rule-yaml").value;
      const res = await fetch("/api/v1/alarm-rules/import", { method: "POST", headers: { ...writeHeaders(), "Content-Type": "application/yaml" }, body: text });
      const answer = await res.json();
      if (!res.ok) throw Object.assign(new Error(answer.error?.message ?? res.statusText), { code: answer.error?.code, details: answer.error?.details, serverMessage: answer.error?.message });
      saved = answer[0] ?? stored;
    }
    flash(t("rules.saved", { code: saved.code, version: saved.version }), "ok");
    current.yamlText = undefined;
    history.replaceState(null, "", `/console/rules#${encodeURIComponent(saved.code)}`);
    await openRule(saved.code);
  } catch (err) {
    const path = err.details?.path ?? "";
    if (current.tab === "form" && err.code === "invalid_rule") {
      showFieldError(document.getElementById("rule-form"), path, reasonOf(err, path));
    } else if (current.tab === "yaml" && err.code === "invalid_rule") {
      const text = document.getElementById("rule-yaml").value;
      const line = lineOf(text, path, err.serverMessage ?? "");
      const box = document.getElementById("yaml-error");
      box.hidden = false;
      box.textContent = t("rules.yaml_error", { line, message: err.serverMessage ?? err.message });
      for (const el of document.querySelectorAll(".yaml-lines .bad")) el.classList.remove("bad");
      document.querySelector(`.yaml-lines [data-line="${line}"]`)?.classList.add("bad");
      // the caret on the line named, its text selected
      const area = document.getElementById("rule-yaml");
      const rows = text.split("\n");
      const start = rows.slice(0, line - 1).reduce((n, row) => n + row.length + 1, 0);
      area.focus();
      area.setSelectionRange(start, start + (rows[line - 1] ?? "").length);
    } else flash(err.message, "error");
  }
}

async function toggle() {
  const { stored } = current;
  try {
    await api(`/api/v1/alarm-rules/${encodeURIComponent(stored.code)}/${stored.enabled ? "disable" : "enable"}`, { method: "POST" });
    flash(t(stored.enabled ? "rules.done_off" : "rules.done_on"), "ok");
    await openRule(stored.code);
  } catch (err) {
    flash(err.message, "error");
  }
}

function versionsList(stored) {
  return h("section", { class: "stack", "aria-labelledby": "rule-versions-title" },
    h("h3", { id: "rule-versions-title", text: t("rules.versions") }),
    h("ol", { class: "rule-versions", id: "rule-versions" }, stored.versions.map((v) => h("li", { dataset: { version: v.version } },
      h("strong", { text: `v${v.version}` }), ` ${formatTime(v.saved_at)} ${v.saved_by} `,
      v.version !== stored.version && canEdit
        ? h("button", { type: "button", class: "linklike small", text: t("rules.load_version"), onclick: () => { current.body = { ...v.body, code: stored.code }; current.yamlText = undefined; renderEditor(); flash(t("rules.version_loaded", { version: v.version }), "info"); } })
        : null))));
}

async function loadOptions() {
  const [types, districts, streets, cats] = await Promise.all([
    api("/api/v1/sensing/device-types").catch(() => []),
    areaFeatures("district").catch(() => []),
    areaFeatures("street").catch(() => []),
    categories(undefined, { leafOnly: true }).catch(() => []),
  ]);
  const en = document.documentElement.lang === "en";
  options.types = types.map((k) => [k.code, en ? k.name_en : k.name_zh]);
  options.metrics = [...new Map(types.flatMap((k) => k.metrics.map((m) => [m.key, `${en ? m.name_en : m.name_zh} (${m.unit || "—"})`]))).entries()];
  options.areas = [...districts, ...streets].map((f) => f.properties).sort((a, b) => a.code.localeCompare(b.code))
    .map((p) => [p.code, p.level === "street" ? `— ${p.name}` : p.name]);
  options.categories = cats.map((c) => [c.code, c.name]);
}

if (root) {
  root.hidden = false;
  document.getElementById("rules-actions").hidden = false;
  for (const el of document.querySelectorAll("[data-editor]")) el.hidden = !canEdit;
  document.getElementById("rule-new").addEventListener("click", newRule);
  document.getElementById("rules-import").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    try {
      const res = await fetch("/api/v1/alarm-rules/import", { method: "POST", headers: { ...writeHeaders(), "Content-Type": "application/yaml" }, body: await file.text() });
      const answer = await res.json();
      if (!res.ok) throw new Error(answer.error?.message ?? res.statusText);
      flash(t("rules.imported", { n: answer.length }), "ok");
      await loadList();
    } catch (err) {
      flash(err.message, "error");
    }
    ev.target.value = "";
  });
  window.addEventListener("hashchange", () => openRule(decodeURIComponent(location.hash.slice(1))));
  onLangChange(async () => {
    const form = document.getElementById("rule-form");
    if (current && form && canEdit) current.body = formBody(form, current.body); // keep what was typed
    await loadOptions();
    await loadList();
    if (current) renderEditor();
  });
  await loadOptions();
  await loadList();
  if (location.hash.length > 1) await openRule(decodeURIComponent(location.hash.slice(1)));
}
