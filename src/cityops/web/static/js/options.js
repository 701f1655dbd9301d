// Option lists for selects: statuses, sources, areas, departments, categories.
import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

export const STATUSES = ["reported", "registered", "rejected", "cancelled", "dispatched",
  "in_progress", "suspended", "handled", "closed"];
export const SOURCES = ["hotline", "web", "open311", "inspector", "sensor", "transfer"];

/** Fill a select with [value, label] pairs, optionally led by an "any" entry; keeps the value. */
export function fillSelect(select, pairs, { any = null, value = select.value } = {}) {
  select.replaceChildren(
    ...(any === null ? [] : [h("option", { value: "", text: any })]),
    ...pairs.map(([v, label]) => h("option", { value: v, text: label })),
  );
  if (value !== undefined && [...select.options].some((o) => o.value === String(value))) {
    select.value = String(value);
  }
}

export const statusPairs = () => STATUSES.map((s) => [s, t(`status.${s}`)]);
export const sourcePairs = () => SOURCES.map((s) => [s, t(`source.${s}`)]);

/** Areas of one level as GeoJSON features (properties: code, name, level, ...). */
export async function areaFeatures(level, parent) {
  const data = await api("/api/v1/areas", { query: { level, parent } });
  return data.features ?? [];
}

export async function departments() {
  const data = await api("/api/v1/departments");
  return Array.isArray(data) ? data : (data.items ?? []);
}

export async function categories(q, { leafOnly = true } = {}) {
  const data = await api("/api/v1/categories", { query: { q, leaf_only: leafOnly || undefined } });
  return Array.isArray(data) ? data : (data.items ?? []);
}
