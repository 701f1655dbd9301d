// 智能分拨 on the case page: the router's decision (dispatched by itself, or waiting for the
// dispatcher), its top suggestions — the leaf category of the responsibility list, its unit, the
// board label behind it, the words found and the recent cases nearby that raised it — and, next
// to them, the unit the list presets for the case's own category, saying whether the two agree.
import { api } from "./api.js";
import { clear, formatTime, h } from "./dom.js";
import { t, tOr } from "./i18n.js";
import { hasRole } from "./shell.js";

const CHIP = { auto_dispatched: "status-dispatched", queued: "status-reported", skipped: "status-registered" };
// who may read a case's routing record (appeals/routing/policy.py CASE_ROUTING_VIEWERS): the
// page does not ask for the others — a handler's or inspector's page would get 403 every time
const VIEWERS = ["dispatcher", "shift_leader", "operator", "admin"];
const percent = (p) => `${Math.round(p * 100)}%`;

/** The case's routing record, or null where the actor may not see it (not asked at all for
 * roles that may not read it). */
export async function loadRouting(caseId, user) {
  if (user && !hasRole(user, ...VIEWERS)) return null;
  try {
    return await api(`/api/v1/cases/${caseId}/routing`);
  } catch (err) {
    if (err.status === 403 || err.status === 404) return null;
    throw err;
  }
}

function line(key, words) {
  return words.length
    ? h("div", { class: "muted small", text: `${t(key)}${t("form.colon")}${words.join("、")}` })
    : null;
}

function suggestion(s) {
  const label = s.label_probability == null ? s.label : `${s.label} ${percent(s.label_probability)}`;
  return h("li", { class: "routing-suggestion" },
    h("strong", { text: `${s.category_code} ${s.category_name} ${percent(s.probability)}` }),
    s.department_name ? ` → ${s.department_name}` : "",
    s.leaf === false ? h("span", { class: "muted small", text: ` (${t("routing.group_only")})` }) : null,
    h("div", { class: "muted small", text: `${t("routing.label")}${t("form.colon")}${label}` }),
    line("routing.keywords", s.keywords ?? []),
    line("routing.words", (s.top_words ?? []).map((w) => w.word)),
    s.place ? h("div", { class: "muted small routing-place", text: t("routing.place", {
      ring: t(`routing.ring.${s.place.ring}`), days: s.place.days, count: s.place.count,
    }) }) : null);
}

/** The list's preset unit for the case's own category against the model's: never silent. */
function preset(d, c) {
  if (!c) return null;
  const top = d.suggestions[0];
  const own = c.suggested_department;
  const unit = (dept) => dept?.name ?? t("routing.no_unit");
  const modelUnit = d.department_code ? { code: d.department_code, name: d.department_name } : null;
  const same = (own?.code ?? null) === (modelUnit?.code ?? null);
  return h("div", { class: `routing-preset ${same ? "" : "routing-differs"}` },
    h("p", { class: "small", text: t("routing.preset", {
      category: [c.category_code, c.category_name].filter(Boolean).join(" "), unit: unit(own),
    }) }),
    top ? h("p", { class: "small", text: t("routing.model", {
      category: `${top.category_code} ${top.category_name}`, unit: unit(modelUnit),
    }) }) : null,
    h("p", { class: "small routing-verdict", text: t(same ? "routing.agrees" : "routing.differs") }));
}

/** Fill the routing card; hidden when there is no decision to show. `c`: the case. */
export function renderRouting(section, routing, c) {
  const d = routing?.decision;
  section.hidden = !d;
  if (!d) return;
  const corrections = routing.corrections ?? [];
  clear(section.querySelector(".routing-body"),
    h("p", {},
      h("span", { class: `chip status ${CHIP[d.outcome] ?? ""}`, text: tOr(`routing.outcome_${d.outcome}`, d.outcome) }),
      " ", tOr(`routing.reason_${d.reason}`, d.reason)),
    preset(d, c),
    h("ol", { class: "plain" }, d.suggestions.map(suggestion)),
    h("p", { class: "muted small", text: t("routing.meta", {
      confidence: percent(d.confidence), threshold: percent(d.threshold),
      version: d.model_version, at: formatTime(d.decided_at),
    }) }),
    corrections.length
      ? h("p", { class: "small", text: t("routing.corrected", {
        unit: corrections.at(-1).department_name ?? corrections.at(-1).department_code,
        label: corrections.at(-1).corrected_label ?? "—",
      }) })
      : null);
}
