// One small form per case action (立案, 派遣, 核查 …). The fields of each form are declared once,
// in the action's spec on the server, and read from GET /api/v1/case-actions: name, kind (text,
// textarea, number, lines, yesno, choice, department), required, the label's i18n key, and `when`
// (a field asked only when that yes/no field is answered yes: a 回访 that did not reach the
// citizen records no resolved, satisfaction or reopen). `version` goes with every action. The
// photos field is an upload control (photos.js): the photos are stored as they are chosen and
// their references go in the body.
import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { photoPicker } from "./photos.js";

const NOTE = { name: "note", kind: "textarea", label: "field.note" };
const ACTIONS = new Map();
let loading = null;

/** Actions whose button reads as a warning (they stop or reverse the flow). */
export const CAUTION = new Set();

/** Load the action declarations once (later calls share the first). */
export function loadActions() {
  loading ??= api("/api/v1/case-actions").then((actions) => {
    for (const a of actions) {
      ACTIONS.set(a.name, a);
      if (a.caution) CAUTION.add(a.name);
    }
  }).catch((err) => {
    loading = null;
    throw err;
  });
  return loading;
}

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
  const label = t(field.label);
  if (isPhotos(field)) {
    return h("div", { class: "field", "data-field": field.name },
      h("span", { class: "label", id: `${id}-label`, text: label + (field.required ? " *" : "") }),
      photoPicker({ id, label: t("photo.attach") }));
  }
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

/** The photos of a step: stored references, uploaded in the form. */
const isPhotos = (field) => field.kind === "lines" && field.name === "photos";

/** Build the form of one action; onSubmit receives the JSON body (without version). */
export function actionForm(action, ctx, onSubmit, onCancel) {
  const fields = ACTIONS.get(action)?.fields ?? [NOTE];
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
      if (isPhotos(f)) {
        const picker = form.querySelector(`[data-field=${f.name}] .photo-picker`);
        if (picker.busy()) {
          error.textContent = t("photo.wait");
          error.hidden = false;
          return;
        }
        const refs = picker.refs();
        if (refs.length) body[f.name] = refs;
        else if (f.required) {
          error.textContent = t("form.required", { field: t(f.label) });
          error.hidden = false;
          return;
        }
        continue;
      }
      const raw = f.kind === "yesno" ? form.querySelector(`[name=${f.name}]:checked`)?.value : form.elements[f.name].value.trim();
      if (!raw) {
        if (f.required) {
          error.textContent = t("form.required", { field: t(f.label) });
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
