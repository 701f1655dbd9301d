// Small DOM helpers. Text always goes in through textContent / text nodes, never innerHTML.
import { t } from "./i18n.js";

/** h("a", {href: "/x", class: "btn", onclick: fn}, "text", child) → element. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const TIME = new Map();
/** A UTC ISO instant shown in Asia/Shanghai, e.g. 2026-11-23 09:00. */
export function formatTime(iso, lang = document.documentElement.lang) {
  if (!iso) return "—";
  if (!TIME.has(lang)) {
    TIME.set(
      lang,
      new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
        timeZone: "Asia/Shanghai",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hour12: false,
      }),
    );
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const parts = Object.fromEntries(TIME.get(lang).formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export function statusChip(status) {
  return h("span", { class: `chip status status-${status}`, text: t(`status.${status}`) });
}

/** SLA colour chip; the word says the state too, so colour is never the only signal. */
export function slaChip(c) {
  const state = c.overdue ? "red" : c.sla_state;
  if (!state) return c.stage ? h("span", { class: "chip sla-none", text: t("sla.none") }) : null;
  return h("span", { class: `chip sla-${state}`, text: t(`sla.${state}`) });
}

/** 区 / 街道 / 社区 / 网格 names of a case's area (or an area chain) joined for display. */
export function areaText(area) {
  if (!area) return "—";
  const names = ["district", "street", "community", "grid"]
    .map((level) => area[level]?.name)
    .filter(Boolean);
  return names.length ? names.join(" › ") : "—";
}

let flashTimer;
/** A polite status message under the header. kind: "info" | "ok" | "error". */
export function flash(message, kind = "info") {
  const box = document.getElementById("flash");
  if (!box) return;
  box.hidden = false;
  box.className = `flash flash-${kind}`;
  box.textContent = message;
  clearTimeout(flashTimer);
  if (kind !== "error") flashTimer = setTimeout(() => (box.hidden = true), 6000);
}

export function clearFlash() {
  const box = document.getElementById("flash");
  if (box) box.hidden = true;
}
