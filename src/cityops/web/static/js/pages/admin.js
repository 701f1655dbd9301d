// 系统管理: the administrator's page, one tab per thing to manage (the hash names the tab, so a
// reload or a link keeps it). Each tab's module builds its panel the first time it is opened.
import { h } from "../dom.js";
import { onLangChange } from "../i18n.js";
import { hasRole, startPage } from "../shell.js";
import * as calendar from "../admin/calendar.js";
import * as categories from "../admin/categories.js";
import * as departments from "../admin/departments.js";
import * as knowledge from "../admin/knowledge.js";
import * as open311 from "../admin/open311.js";
import * as users from "../admin/users.js";
import * as webhooks from "../admin/webhooks.js";

const SECTIONS = { users, departments, categories, knowledge, open311, webhooks, calendar };
const mounted = new Set();

const user = await startPage();
if (!hasRole(user, "admin")) {
  document.getElementById("admin-denied").hidden = false;
} else {
  document.getElementById("admin").hidden = false;
  const tabs = [...document.querySelectorAll("[data-tab]")];

  async function open(name, focus = false) {
    if (!(name in SECTIONS)) name = "users";
    for (const tab of tabs) {
      const selected = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(`panel-${tab.dataset.tab}`).hidden = !selected;
    }
    const chosen = tabs.find((tab) => tab.dataset.tab === name);
    chosen?.scrollIntoView({ block: "nearest", inline: "nearest" });
    if (focus) chosen?.focus();
    const panel = document.getElementById(`panel-${name}`);
    if (!mounted.has(name)) {
      mounted.add(name);
      panel.setAttribute("aria-busy", "true");
      panel.append(h("p", { class: "muted", text: "…" }));
      await SECTIONS[name].mount(panel);
      panel.setAttribute("aria-busy", "false");
    }
  }

  // arrow keys move between the tabs (the tablist pattern)
  document.querySelector(".admin-tabs").addEventListener("keydown", (ev) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0 || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(ev.key)) return;
    ev.preventDefault();
    const next = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[ev.key];
    const tab = tabs[(next + tabs.length) % tabs.length];
    location.hash = tab.dataset.tab;
    tab.focus();
  });
  window.addEventListener("hashchange", () => open(location.hash.slice(1)));
  // the panels are built from the dictionary: a language switch rebuilds the ones seen so far
  onLangChange(() => {
    const current = location.hash.slice(1) || "users";
    for (const name of mounted) document.getElementById(`panel-${name}`).replaceChildren();
    mounted.clear();
    open(current);
  });
  await open(location.hash.slice(1) || "users");
}
