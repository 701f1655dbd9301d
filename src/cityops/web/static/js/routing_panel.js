// 智能分拨 on the case page: the router's decision (dispatched by itself, or waiting for the
// dispatcher), its top suggestions with probabilities, units and the words behind them.
import { api } from "./api.js";
import { clear, formatTime, h } from "./dom.js";
import { t, tOr } from "./i18n.js";

const CHIP = { auto_dispatched: "status-dispatched", queued: "status-reported", skipped: "status-registered" };
const percent = (p) => `${Math.round(p * 100)}%`;

/** The case's routing record, or null where the actor may not see it. */
export async function loadRouting(caseId) {
  try {
    return await api(`/api/v1/cases/${caseId}/routing`);
  } catch (err) {
    if (err.status === 403 || err.status === 404) return null;
    throw err;
  }
}

function suggestion(s) {
  const words = (s.top_words ?? []).map((w) => w.word).join("、");
  return h("li", { class: "routing-suggestion" },
    h("strong", { text: `${s.label} ${percent(s.probability)}` }),
    ` → ${s.category_code} ${s.category_name}`,
    s.department_name ? ` · ${s.department_name}` : "",
    words ? h("div", { class: "muted small", text: `${t("routing.words")}${t("form.colon")}${words}` }) : null);
}

/** Fill the routing card; hidden when there is no decision to show. */
export function renderRouting(section, routing) {
  const d = routing?.decision;
  section.hidden = !d;
  if (!d) return;
  const corrections = routing.corrections ?? [];
  clear(section.querySelector(".routing-body"),
    h("p", {},
      h("span", { class: `chip status ${CHIP[d.outcome] ?? ""}`, text: tOr(`routing.outcome_${d.outcome}`, d.outcome) }),
      " ", tOr(`routing.reason_${d.reason}`, d.reason)),
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
