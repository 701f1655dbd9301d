// Building blocks of the admin page: a toolbar with search, tables, one modal dialog for forms
// and results, and the error display (ApiError's message is already in the page's language).
import { clear, flash, h } from "../dom.js";
import { t } from "../i18n.js";

/** A search box that calls onInput with the lowercased text as the user types. */
export function searchBox(id, onInput, placeholderKey = "admin.search") {
  const input = h("input", {
    id,
    type: "search",
    class: "admin-search",
    placeholder: t(placeholderKey),
    "aria-label": t(placeholderKey),
    autocomplete: "off",
  });
  input.addEventListener("input", () => onInput(input.value.trim().toLowerCase()));
  return input;
}

/** A labelled select for a toolbar filter. */
export function filterSelect(id, labelKey, pairs, onChange, { any = t("admin.any") } = {}) {
  const select = h(
    "select",
    { id, "aria-label": t(labelKey) },
    h("option", { value: "", text: `${t(labelKey)}: ${any}` }),
    pairs.map(([v, label]) => h("option", { value: v, text: `${t(labelKey)}: ${label}` })),
  );
  select.addEventListener("change", () => onChange(select.value));
  return select;
}

export function toolbar(...items) {
  return h("div", { class: "admin-toolbar" }, items);
}

/** A table: columns [{key (i18n), cell(row) → node|text, class}]; rows; the empty text. */
export function table(columns, rows, { empty = t("admin.none"), rowProps } = {}) {
  if (!rows.length) return h("p", { class: "muted", text: empty });
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table admin-table" },
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class, text: t(c.key) })))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            rowProps ? rowProps(row) : {},
            columns.map((c) => {
              const content = c.cell(row);
              // one wrapper per cell, so that a phone's stacked layout sets it beside its label
              const cls = [c.class, content === "—" ? "cell-empty" : ""].filter(Boolean).join(" ");
              return h("td", { class: cls || undefined, "data-label": t(c.key) }, h("div", { class: "cell" }, content));
            }),
          ),
        ),
      ),
    ),
  );
}

export function chip(text, kind = "") {
  return h("span", { class: `chip ${kind}`.trim(), text });
}

export function activeChip(active) {
  return active ? chip(t("admin.active"), "chip-on") : chip(t("admin.inactive"), "chip-off");
}

export function button(labelKey, onclick, cls = "btn btn-small", props = {}) {
  return h("button", { type: "button", class: cls, onclick, text: t(labelKey), ...props });
}

export function actions(...buttons) {
  return h("div", { class: "row-actions" }, buttons);
}

/** Whether a row's text (the given fields joined) contains the search text. */
export function matches(text, ...fields) {
  if (!text) return true;
  return fields.filter((f) => f !== null && f !== undefined).join(" ").toLowerCase().includes(text);
}

/** Show an API failure in the page's error box. */
export function showFailure(err) {
  flash(err?.message ?? String(err), "error");
}

// ---- the dialog ------------------------------------------------------------------------------

const dialog = () => document.getElementById("admin-dialog");

function control(f) {
  const id = `f-${f.name}`;
  const common = { id, name: f.name, required: f.required, "aria-describedby": f.help ? `${id}-help` : undefined };
  if (f.type === "select") {
    return h(
      "select",
      common,
      f.blank !== undefined ? h("option", { value: "", text: f.blank }) : null,
      f.options.map(([v, label]) => h("option", { value: v, text: label, selected: String(f.value ?? "") === String(v) })),
    );
  }
  if (f.type === "checkboxes") {
    const chosen = new Set(f.value ?? []);
    return h(
      "div",
      { class: "checks", id, role: "group", "aria-labelledby": `${id}-label` },
      f.options.map(([v, label]) =>
        h("label", { class: "check" }, h("input", { type: "checkbox", name: f.name, value: v, checked: chosen.has(v) }), label),
      ),
    );
  }
  if (f.type === "checkbox") {
    return h("input", { ...common, type: "checkbox", checked: Boolean(f.value) });
  }
  if (f.type === "textarea") {
    return h("textarea", { ...common, rows: f.rows ?? 4, text: f.value ?? "" });
  }
  return h("input", {
    ...common,
    type: f.type ?? "text",
    value: f.value ?? "",
    autocomplete: f.autocomplete ?? "off",
    placeholder: f.placeholder,
    maxlength: f.maxlength,
    min: f.min,
    step: f.step,
    readonly: f.readonly,
  });
}

function fieldBlock(f) {
  if (f.type === "custom") return f.node;
  const id = `f-${f.name}`;
  const label = h("label", { for: id, id: `${id}-label`, text: f.label });
  const help = f.help ? h("p", { id: `${id}-help`, class: "help", text: f.help }) : null;
  if (f.type === "checkbox") {
    return h("div", { class: "field field-check" }, h("label", { class: "check" }, control(f), f.label), help);
  }
  if (f.type === "checkboxes") {
    return h("fieldset", { class: "field field-wide" }, h("legend", { id: `${id}-label`, text: f.label }), control(f), help);
  }
  return h("div", { class: `field${f.wide ? " field-wide" : ""}` }, label, control(f), f.extra, help);
}

/** The form's values by field: checkboxes as a list, a single checkbox as a boolean. */
export function formValues(form, fields) {
  const out = {};
  for (const f of fields) {
    if (f.type === "custom") continue;
    if (f.type === "checkboxes") {
      out[f.name] = [...form.querySelectorAll(`input[name="${f.name}"]:checked`)].map((i) => i.value);
    } else if (f.type === "checkbox") {
      out[f.name] = form.elements[f.name].checked;
    } else {
      out[f.name] = form.elements[f.name].value.trim();
    }
  }
  return out;
}

/** A modal form: `submit(values, form)` saves; a failure stays in the dialog, a success closes
 * it (or shows what `submit` returns: a node, e.g. a key shown once). */
export function openForm({ title, fields, submitKey = "admin.save", submit, intro }) {
  const box = dialog();
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const saveButton = h("button", { type: "submit", class: "btn btn-primary", text: t(submitKey) });
  const form = h(
    "form",
    { class: "dialog-form", novalidate: true },
    intro ? h("p", { class: "muted small", text: intro }) : null,
    h("div", { class: "dialog-fields" }, fields.map(fieldBlock)),
    error,
    h("div", { class: "form-buttons" }, saveButton, button("admin.cancel", () => box.close(), "btn")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const missing = fields.find((f) => f.required && f.type !== "custom" && !form.elements[f.name]?.value?.trim());
    if (missing) {
      error.textContent = t("form.required", { field: missing.label });
      error.hidden = false;
      form.elements[missing.name]?.focus();
      return;
    }
    saveButton.disabled = true;
    try {
      const shown = await submit(formValues(form, fields), form);
      if (shown instanceof Node) showResult(title, shown);
      else box.close();
    } catch (err) {
      error.textContent = err?.message ?? String(err);
      error.hidden = false;
    } finally {
      saveButton.disabled = false;
    }
  });
  show(title, form);
  form.querySelector("input:not([type=hidden]):not([readonly]), select, textarea")?.focus();
  return form;
}

/** A modal with content and a close button (results, histories, delivery logs). */
export function showResult(title, content) {
  show(title, h("div", { class: "stack" }, content, h("div", { class: "form-buttons" },
    button("admin.close", () => dialog().close(), "btn btn-primary"))));
}

/** Ask before a step that cannot be undone; resolves true on confirm. */
export function confirmStep(title, text, confirmKey = "admin.confirm") {
  return new Promise((resolve) => {
    const box = dialog();
    const done = (answer) => {
      box.removeEventListener("close", onClose);
      box.close();
      resolve(answer);
    };
    const onClose = () => resolve(false);
    box.addEventListener("close", onClose, { once: true });
    show(title, h("div", { class: "stack" }, h("p", { text }), h("div", { class: "form-buttons" },
      button(confirmKey, () => done(true), "btn btn-warn"),
      button("admin.cancel", () => done(false), "btn"))));
  });
}

function show(title, content) {
  const box = dialog();
  clear(
    box,
    h(
      "div",
      { class: "dialog-head" },
      h("h2", { id: "admin-dialog-title", text: title }),
      h("button", { type: "button", class: "btn btn-ghost dialog-x", "aria-label": t("admin.close"), text: "×", onclick: () => box.close() }),
    ),
    content,
  );
  if (!box.open) box.showModal();
}

/** A secret shown once: the text, a copy button and the warning. */
export function secretBox(labelKey, secret) {
  const code = h("code", { class: "secret", text: secret });
  const copied = h("span", { class: "small muted", "aria-live": "polite" });
  return h(
    "div",
    { class: "stack" },
    h("p", { class: "strong", text: t(labelKey) }),
    h("div", { class: "secret-row" }, code, button("admin.copy", async () => {
      try {
        await navigator.clipboard.writeText(secret);
        copied.textContent = t("admin.copied");
      } catch {
        copied.textContent = t("admin.copy_failed");
      }
    })),
    copied,
    h("p", { class: "help", text: t("admin.shown_once") }),
  );
}
