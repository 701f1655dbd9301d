// UI strings: zh-CN first, English on request. The choice lives in localStorage and is mirrored
// in the `cityops_lang` cookie so the server renders the next page in the same language.
const LANGS = ["zh-CN", "en"];
const STORE_KEY = "cityops.lang";
const COOKIE = "cityops_lang";
const dictionaries = new Map();
let current = LANGS[0];
const listeners = [];

async function load(lang) {
  if (!dictionaries.has(lang)) {
    const res = await fetch(`/i18n/${lang}.json`);
    dictionaries.set(lang, await res.json());
  }
  return dictionaries.get(lang);
}

function remember(lang) {
  try {
    localStorage.setItem(STORE_KEY, lang);
  } catch {
    /* private mode: the cookie still carries the choice */
  }
  document.cookie = `${COOKIE}=${lang}; path=/; max-age=31536000; SameSite=Lax`;
}

export function lang() {
  return current;
}

/** Translate a key; `{name}` placeholders are filled from params. Unknown keys show the key. */
export function t(key, params = {}) {
  const text = dictionaries.get(current)?.[key] ?? dictionaries.get(LANGS[0])?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** Translate a key if the dictionary has it, else return the fallback (e.g. a server name). */
export function tOr(key, fallback) {
  const text = dictionaries.get(current)?.[key] ?? dictionaries.get(LANGS[0])?.[key];
  return text ?? fallback;
}

/** Re-label every element carrying data-i18n* attributes under root (textContent only). */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.setAttribute("placeholder", t(el.dataset.i18nPlaceholder));
  }
  document.documentElement.lang = current;
  const toggle = document.getElementById("lang-toggle");
  if (toggle) toggle.setAttribute("lang", current === "en" ? "zh-CN" : "en");
}

export async function initI18n() {
  let wanted = document.documentElement.lang;
  try {
    wanted = localStorage.getItem(STORE_KEY) || wanted;
  } catch {
    /* storage unavailable */
  }
  current = LANGS.includes(wanted) ? wanted : LANGS[0];
  // The switch answers from the first moment (before the words have loaded), so a click is never lost.
  const toggle = document.getElementById("lang-toggle");
  if (toggle) toggle.addEventListener("click", () => setLang(current === "en" ? "zh-CN" : "en"));
  await Promise.all([load(LANGS[0]), load(current)]);
  remember(current);
  if (document.documentElement.lang !== current) applyI18n();
}

export async function setLang(next) {
  if (!LANGS.includes(next) || next === current) return;
  await load(next);
  current = next;
  remember(next);
  applyI18n();
  for (const fn of listeners) fn(next);
}

/** Pages re-render their data-driven parts when the language changes. */
export function onLangChange(fn) {
  listeners.push(fn);
}
