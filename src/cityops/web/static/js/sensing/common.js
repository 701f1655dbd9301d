// Shared by the 物联感知 pages: device types (names and metric specs), a device's online state.
import { api } from "../api.js";
import { h } from "../dom.js";
import { lang, t } from "../i18n.js";

let typesPromise = null;

/** The device types ({code, name_zh, name_en, metrics: [...]}), asked once per page. */
export function deviceTypes() {
  typesPromise ??= api("/api/v1/sensing/device-types");
  return typesPromise;
}

export function typeName(kind) {
  if (!kind) return "";
  return lang() === "en" ? kind.name_en : kind.name_zh;
}

export function metricName(spec) {
  return lang() === "en" ? spec.name_en : spec.name_zh;
}

/** online / offline / never (no value yet) / maintenance / retired: the newest value against the
 * device's inactivity timeout, as the health API counts it. */
export function deviceState(device, values, now = Date.now()) {
  if (device.status === "maintenance" || device.status === "retired") return device.status;
  if (!values?.length) return "never";
  const newest = Math.max(...values.map((v) => Date.parse(v.ts)));
  return now - newest <= device.inactivity_seconds * 1000 ? "online" : "offline";
}

export const STATE_COLOURS = {
  online: "#1b7f3b", offline: "#c62828", maintenance: "#b7791f", never: "#5b6472", retired: "#5b6472",
};

export function stateChip(state) {
  return h("span", { class: `chip state-${state}`, "data-state": state, text: t(`device.state.${state}`) });
}

/** An area code with the name of the street that holds it (`streets`: GeoJSON features). */
export function areaLabel(code, streets) {
  const street = (streets ?? []).find((f) => code?.startsWith(f.properties.code));
  return street ? `${street.properties.name} · ${code}` : (code || "—");
}

/** The value with the metric's precision. */
export function formatValue(value, spec) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  const digits = Math.max(0, Math.min(6, spec?.precision ?? 2));
  return Number(value).toFixed(digits);
}

/** Copy text to the clipboard (a textarea fallback where the async clipboard is refused). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { class: "visually-hidden" });
    area.value = text;
    document.body.append(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    return done;
  }
}
