// 热点诉求: the groups of appeals many citizens raise now (docs/insight/hotspots.md): each with
// its heat, place, span, how fast it grows (新 for an emerging one), representative appeals and
// every case behind it, linked.
import { api } from "../api.js";
import { clear, formatTime, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { startPage } from "../shell.js";

await startPage();
const form = document.getElementById("hot-form");
const daysSelect = document.getElementById("hot-days");
const list = document.getElementById("hot-list");
const note = document.getElementById("hot-note");
let page = null;

const params = new URLSearchParams(location.search);
if (params.get("days")) daysSelect.value = params.get("days");

function caseLink(id, number, title) {
  return h("a", { href: `/cases/${id}`, text: number ? `${number} ${title ?? ""}`.trim() : title ?? `#${id}` });
}

function issueItem(issue, hottest) {
  const width = hottest > 0 ? Math.max(4, Math.round((issue.heat / hottest) * 100)) : 0;
  const span =
    formatTime(issue.first_at).slice(0, 10) === formatTime(issue.last_at).slice(0, 10)
      ? formatTime(issue.first_at).slice(0, 10)
      : `${formatTime(issue.first_at).slice(0, 10)} ~ ${formatTime(issue.last_at).slice(0, 10)}`;
  const members = h("details", { class: "hot-members" },
    h("summary", { text: t("hot.all_cases", { count: issue.case_ids.length }) }),
    h("ul", { class: "hot-case-ids" }, issue.case_ids.map((id) => h("li", {}, h("a", { href: `/cases/${id}`, text: `#${id}` })))),
  );
  return h("li", { class: "card hot-issue" },
    h("div", { class: "hot-head" },
      h("span", { class: "hot-rank", text: String(issue.rank) }),
      h("h2", { class: "hot-title", text: issue.title }),
      issue.emerging ? h("span", { class: "chip chip-warn", text: t("hot.emerging"), title: t("hot.emerging_help") }) : null,
    ),
    h("div", { class: "hot-bar", role: "img", "aria-label": t("hot.heat_label", { heat: issue.heat }) },
      h("span", { style: `width:${width}%` })),
    h("dl", { class: "hot-facts" },
      h("dt", { text: t("hot.heat") }), h("dd", { text: issue.heat.toFixed(1) }),
      h("dt", { text: t("hot.count") }), h("dd", { text: t("hot.count_value", { count: issue.count, callers: issue.callers }) }),
      h("dt", { text: t("hot.recent") }), h("dd", { text: t("hot.recent_value", { recent: issue.recent, baseline: issue.baseline }) }),
      h("dt", { text: t("hot.place") }), h("dd", { text: issue.place || "—" }),
      h("dt", { text: t("hot.span") }), h("dd", { text: span }),
      h("dt", { text: t("hot.keywords") }), h("dd", { text: issue.keywords.join("、") || "—" }),
    ),
    h("h3", { class: "small", text: t("hot.representatives") }),
    h("ul", { class: "hot-reps" }, issue.representatives.map((r) =>
      h("li", {}, caseLink(r.case_id, r.number, r.title), h("span", { class: "muted small", text: ` ${formatTime(r.reported_at)}` })))),
    members,
  );
}

function render() {
  if (!page) return;
  note.textContent = t("hot.summary", { appeals: page.appeals, groups: page.groups, shown: page.issues.length });
  const hottest = page.issues.length ? page.issues[0].heat : 0;
  clear(list, page.issues.length ? page.issues.map((i) => issueItem(i, hottest)) : h("li", { class: "card muted", text: t("hot.none") }));
}

async function load() {
  note.textContent = t("hot.loading");
  list.setAttribute("aria-busy", "true");
  try {
    page = await api("/api/v1/insight/hot-issues", { query: { days: daysSelect.value } });
    render();
  } catch (err) {
    clear(list);
    note.textContent = err.message;
  } finally {
    list.removeAttribute("aria-busy");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?days=${daysSelect.value}`);
  load();
});
onLangChange(render);
load();
