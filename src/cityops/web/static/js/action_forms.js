// One small form per case action (立案, 派遣, 核查 …). Field names follow the action body of
// POST /api/v1/cases/{id}/actions/{action}; `version` and `note` go with every action.
import { h } from "./dom.js";
import { t } from "./i18n.js";

const note = { name: "note", kind: "textarea" };
const reason = { name: "reason", kind: "textarea", required: true };
const result = { name: "note", label: "field.result", kind: "textarea", required: true };
const yesNo = (name, required = true) => ({ name, kind: "yesno", required });
// Fields asked only when another yes/no field is answered yes (`when`): a 回访 that did not
// reach the citizen records no resolved, satisfaction or reopen.
const whenReached = (field) => ({ ...field, when: "contacted" });

export const ACTION_FIELDS = {
  register: [note],
  reject: [reason],
  cancel: [reason],
  merge: [{ name: "into_case_id", kind: "number", required: true }, note],
  dispatch: [{ name: "department_code", kind: "department", required: true }, note],
  sign: [note],
  return: [reason],
  request_extension: [{ name: "hours", kind: "number", required: true, min: 1 }, reason],
  approve_extension: [note],
  deny_extension: [note],
  suspend: [reason],
  resume: [note],
  supervise: [note],
  finish: [result, { name: "photos", kind: "lines" }],
  verify: [yesNo("passed"), note],
  evaluate: [
    yesNo("contacted"),
    whenReached(yesNo("resolved")),
    whenReached({ name: "satisfaction", kind: "choice", required: true,
      choices: ["satisfied", "basically_satisfied", "unsatisfied"] }),
    whenReached(yesNo("reopen", false)),
    note,
  ],
  self_handle: [result, { name: "photos", kind: "lines" }],
  answer: [{ name: "answer", kind: "textarea", required: true }, { name: "article_code" }, note],
};

/** Actions whose button reads as a warning (they stop or reverse the flow). */
export const CAUTION = new Set(["reject", "cancel", "return", "deny_extension", "suspend"]);

function control(field, id, ctx) {
  const required = field.required ? true : undefined;
  switch (field.kind) {
    case "textarea":
      return h("textarea", { id, name: field.name, rows: 3, required });
    case "lines":
      return h("textarea", { id, name: field.name, rows: 2, "aria-describedby": `${id}-help` });
    case "number":
      return h("input", { id, name: field.name, type: "number", min: field.min ?? 1, step: 1, required });
    case "department": {
      const select = h("select", { id, name: field.name, required },
        h("option", { value: "", text: t("form.choose") }),
        ctx.departments.map((d) => h("option", { value: d.code, text: d.name })));
      const preset = ctx.case.suggested_department?.code ?? ctx.case.department?.code;
      if (preset) select.value = preset;
      return select;
    }
    case "choice":
      return h("select", { id, name: field.name, required },
        h("option", { value: "", text: t("form.choose") }),
        field.choices.map((c) => h("option", { value: c, text: t(`choice.${c}`) })));
    default:
      return h("input", { id, name: field.name, required });
  }
}

function fieldRow(action, field, ctx) {
  const row = buildRow(action, field, ctx);
  if (field.when) {
    row.dataset.when = field.when;
    row.hidden = true;
  }
  return row;
}

function buildRow(action, field, ctx) {
  const id = `act-${action}-${field.name}`;
  const label = t(field.label ?? `field.${field.name}`);
  if (field.kind === "yesno") {
    return h("fieldset", { class: "field yesno" },
      h("legend", { text: label }),
      ["true", "false"].map((value) =>
        h("label", { class: "radio" },
          h("input", { type: "radio", name: field.name, value, required: field.required || undefined }),
          h("span", { text: t(value === "true" ? "form.yes" : "form.no") }))));
  }
  return h("div", { class: "field" },
    h("label", { for: id, text: label + (field.required ? " *" : "") }),
    control(field, id, ctx),
    field.kind === "lines" ? h("p", { id: `${id}-help`, class: "help", text: t("field.photos_help") }) : null);
}

/** Build the form of one action; onSubmit receives the JSON body (without version). */
export function actionForm(action, ctx, onSubmit, onCancel) {
  const fields = ACTION_FIELDS[action] ?? [note];
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { class: "action-form stack", "data-action": action, novalidate: true },
    h("h3", { text: t(`action.${action}`) }),
    fields.map((f) => fieldRow(action, f, ctx)),
    error,
    h("div", { class: "form-buttons" },
      h("button", { type: "submit", class: `btn ${CAUTION.has(action) ? "btn-warn" : "btn-primary"}`,
        text: t("form.confirm", { action: t(`action.${action}`) }) }),
      h("button", { type: "button", class: "btn", text: t("form.cancel"), onclick: onCancel })));
  const answeredYes = (name) => form.querySelector(`[name=${name}]:checked`)?.value === "true";
  form.addEventListener("change", () => {
    for (const row of form.querySelectorAll("[data-when]")) row.hidden = !answeredYes(row.dataset.when);
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const f of fields) {
      if (f.when && !answeredYes(f.when)) continue;
      const raw = f.kind === "yesno" ? form.querySelector(`[name=${f.name}]:checked`)?.value : form.elements[f.name].value.trim();
      if (!raw) {
        if (f.required) {
          error.textContent = t("form.required", { field: t(f.label ?? `field.${f.name}`) });
          error.hidden = false;
          (form.querySelector(`[name=${f.name}]`) ?? form).focus();
          return;
        }
        continue;
      }
      if (f.kind === "yesno") body[f.name] = raw === "true";
      else if (f.kind === "number") body[f.name] = Number(raw);
      else if (f.kind === "lines") body[f.name] = raw.split("\n").map((s) => s.trim()).filter(Boolean);
      else body[f.name] = raw;
    }
    error.hidden = true;
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await onSubmit(body);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
