// The rule editor's structured form: the common rule (one threshold, a clear threshold, durations,
// scope, time window, case policy) read from and written into the rule's body; anything else the
// body holds is kept as it is. Each field carries the API path it edits (data-path), so an error
// the API names by path is shown at its field.
import { h } from "../dom.js";
import { t } from "../i18n.js";

export const SEVERITIES = ["critical", "major", "minor", "warning"];
const OPS = [">", ">=", "<", "<="];
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Whether the form can show the rule: one threshold condition, a threshold clear (or none). */
export function simpleRule(body) {
  const keys = (o) => Object.keys(o ?? {});
  const one = (c) => c && keys(c).length === 1 && c.threshold;
  return Boolean(one(body.when) && (!body.clear_when || one(body.clear_when)));
}

function field(id, labelKey, control, { wide = false, help } = {}) {
  return h("div", { class: `field${wide ? " field-wide" : ""}` },
    h("label", { for: id, text: t(labelKey) }), control,
    help ? h("p", { class: "help small muted", text: t(help) }) : null);
}

// the rule's case policy fields (built, so that they do not read as UI string keys)
const casePath = (name) => ["case", name].join(".");

const input = (id, path, value, props = {}) => h("input", { id, name: id, dataset: { path }, value: value ?? "", autocomplete: "off", ...props });

function select(id, path, pairs, value, { any } = {}) {
  const el = h("select", { id, name: id, dataset: { path } },
    any !== undefined ? h("option", { value: "", text: any }) : null,
    pairs.map(([v, label]) => h("option", { value: v, text: label })));
  el.value = value ?? "";
  return el;
}

/** The form's element for `body` (a new rule: code editable). `options`: {types, areas,
 * metrics, categories} as [value, label] pairs. */
export function ruleForm(body, { isNew, readOnly, options }) {
  const th = body.when?.threshold ?? {};
  const clearTh = body.clear_when?.threshold ?? {};
  const scope = body.scope ?? {};
  const win = body.window ?? {};
  const kase = body.case ?? {};
  const any = t("rules.any");
  const form = h("form", { id: "rule-form", class: "stack", novalidate: true },
    h("p", { id: "rule-form-error", class: "field-error", role: "alert", hidden: true }),
    h("div", { class: "rule-fields" },
      field("r-code", "rules.code", input("r-code", "code", body.code, { readonly: !isNew, required: true, maxlength: 64 })),
      field("r-name", "rules.name", input("r-name", "name", body.name, { required: true, maxlength: 200 })),
      field("r-severity", "rules.severity", select("r-severity", "severity", SEVERITIES.map((s) => [s, t(`alarms.sev.${s}`)]), body.severity ?? "major"))),
    h("fieldset", { class: "rule-group", dataset: { path: "when" } }, h("legend", { text: t("rules.condition") }),
      h("div", { class: "rule-fields" },
        field("r-metric", "rules.metric", input("r-metric", "when.threshold.metric", th.metric, { list: "r-metrics" })),
        h("datalist", { id: "r-metrics" }, options.metrics.map(([v, label]) => h("option", { value: v, text: label }))),
        field("r-op", "rules.op", select("r-op", "when.threshold.op", OPS.map((o) => [o, o]), th.op ?? ">")),
        field("r-value", "rules.threshold", input("r-value", "when.threshold.value", th.value, { inputmode: "decimal" })),
        field("r-for", "rules.for", input("r-for", "for", body.for && body.for !== "0s" ? body.for : "", { placeholder: "10m" }), { help: "rules.duration_help" }))),
    h("fieldset", { class: "rule-group", dataset: { path: "clear_when" } }, h("legend", { text: t("rules.clear") }),
      h("div", { class: "rule-fields" },
        field("r-clear-op", "rules.op", select("r-clear-op", "clear_when.threshold.op", OPS.map((o) => [o, o]), clearTh.op ?? "<")),
        field("r-clear-value", "rules.clear_threshold", input("r-clear-value", "clear_when.threshold.value", clearTh.value, { inputmode: "decimal" }), { help: "rules.clear_help" }),
        field("r-clear-for", "rules.clear_for", input("r-clear-for", "clear_for", body.clear_for && body.clear_for !== "0s" ? body.clear_for : "", { placeholder: "5m" })))),
    h("fieldset", { class: "rule-group", dataset: { path: "scope" } }, h("legend", { text: t("rules.scope") }),
      h("div", { class: "rule-fields" },
        field("r-type", "rules.device_type", select("r-type", "scope.device_type", options.types, scope.device_type, { any })),
        field("r-area", "rules.area", select("r-area", "scope.area", options.areas, scope.area, { any })),
        field("r-device", "rules.device", input("r-device", "scope.device", scope.device, { maxlength: 64 })))),
    h("fieldset", { class: "rule-group", dataset: { path: "window" } }, h("legend", { text: t("rules.window") }),
      h("div", { class: "rule-fields" },
        h("div", { class: "field field-wide", dataset: { path: "window.days" } },
          h("span", { class: "label", text: t("rules.days") }),
          h("div", { class: "checks" }, DAYS.map((d) => h("label", { class: "check" },
            h("input", { type: "checkbox", name: "r-days", value: d, checked: (win.days ?? []).includes(d) }), t(`rules.day.${d}`))))),
        field("r-from", "rules.from", input("r-from", "window.from", win.from, { type: "time" })),
        field("r-to", "rules.to", input("r-to", "window.to", win.to, { type: "time" })))),
    h("fieldset", { class: "rule-group", dataset: { path: "case" } }, h("legend", { text: t("rules.case") }),
      h("div", { class: "rule-fields" },
        h("label", { class: "check field-wide" }, h("input", { type: "checkbox", id: "r-case-open", name: "r-case-open", dataset: { path: casePath("open") }, checked: Boolean(kase.open) }), t("rules.case_open")),
        field("r-category", "rules.category", input("r-category", casePath("category"), kase.category, { list: "r-categories" })),
        h("datalist", { id: "r-categories" }, options.categories.map(([v, label]) => h("option", { value: v, text: label }))),
        field("r-after", "rules.case_after", input("r-after", casePath("after"), kase.after && kase.after !== "0s" ? kase.after : "", { placeholder: "30m" })))),
  );
  if (readOnly) for (const el of form.querySelectorAll("input, select")) el.disabled = true;
  return form;
}

const num = (text) => (text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text.trim());

/** The rule's body from the form, over `base` (whatever the form does not show is kept). */
export function formBody(form, base) {
  const v = (name) => form.elements[name].value.trim();
  const body = { ...base, code: v("r-code"), name: v("r-name"), severity: v("r-severity") };
  delete body.version;
  body.scope = Object.fromEntries(
    [["device_type", v("r-type")], ["area", v("r-area")], ["device", v("r-device")]].filter(([, x]) => x));
  body.when = { threshold: { metric: v("r-metric"), op: v("r-op"), value: num(v("r-value")) } };
  body.for = v("r-for") || "0s";
  if (v("r-clear-value")) {
    body.clear_when = { threshold: { metric: v("r-metric"), op: v("r-clear-op"), value: num(v("r-clear-value")) } };
  } else delete body.clear_when;
  body.clear_for = v("r-clear-for") || "0s";
  const days = [...form.querySelectorAll("input[name=r-days]:checked")].map((c) => c.value);
  if (days.length || v("r-from") || v("r-to")) {
    body.window = { ...(days.length ? { days } : {}), from: v("r-from"), to: v("r-to") };
  } else delete body.window;
  if (form.elements["r-case-open"].checked || v("r-category")) {
    body.case = { open: form.elements["r-case-open"].checked, category: v("r-category"), after: v("r-after") || "0s" };
  } else delete body.case;
  return body;
}

/** Show the API's error at the field its path names (the longest data-path that the error's
 * path starts with), else above the form. */
export function showFieldError(form, path, message) {
  clearFieldErrors(form);
  const fields = [...form.querySelectorAll("[data-path]")];
  const hit = fields
    .filter((el) => path === el.dataset.path || path.startsWith(`${el.dataset.path}.`))
    .sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
  const note = h("p", { class: "field-error", role: "alert", dataset: { errorFor: path }, text: message });
  if (!hit) {
    const top = form.querySelector("#rule-form-error");
    top.hidden = false;
    top.textContent = message;
    return top;
  }
  hit.setAttribute("aria-invalid", "true");
  const holder = hit.closest(".field, .check, fieldset") ?? hit.parentElement;
  if (holder.tagName === "FIELDSET" || holder.classList.contains("field")) holder.append(note);
  else holder.after(note);
  if (hit.focus) hit.focus();
  return note;
}

export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll("p.field-error[data-error-for]")) el.remove();
  const top = form.querySelector("#rule-form-error");
  top.hidden = true;
}
