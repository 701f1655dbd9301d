// 死信: what ingestion could not use, newest first — counts per reason as chips (a chip filters),
// filters by reason and device, paging. The payload is shown as text (textContent), never as
// markup: it is whatever a device or an attacker sent.
import { api } from "../api.js";
import { clear, formatTime, h } from "../dom.js";
import { onLangChange, t, tOr } from "../i18n.js";
import { fillSelect } from "../options.js";

const SIZE = 30;
const REASONS = ["payload_too_large", "malformed_json", "bad_shape", "unknown_device", "bad_credentials",
  "device_retired", "unknown_metric", "not_a_number", "out_of_range", "ts_in_future", "ts_too_old",
  "bad_timestamp", "rate_limited", "bad_frame", "bad_topic"];

/** Build the page for the signed-in `user` (only when the page was not refused). */
export async function run(user) {
  const form = document.getElementById("filters");
  let current = null;

  const reasonText = (r) => tOr(`dead.reason.${r}`, r);

  function filtersFromUrl() {
    const params = new URLSearchParams(location.search);
    return {
      reason: params.get("reason") || "",
      device: params.get("device") || "",
      page: Math.max(1, Number(params.get("page")) || 1),
    };
  }

  function go({ reason = "", device = "", page = 1 }) {
    const params = new URLSearchParams();
    if (reason) params.set("reason", reason);
    if (device) params.set("device", device);
    if (page > 1) params.set("page", page);
    history.pushState(null, "", `/console/sensing/dead-letters${params.size ? `?${params}` : ""}`);
    load();
  }

  async function load() {
    const f = filtersFromUrl();
    const known = new Set([...REASONS, ...Object.keys(current?.data.per_reason ?? {})]);
    fillSelect(form.reason, [...known].map((r) => [r, reasonText(r)]), { any: t("cases.any"), value: f.reason });
    form.device.value = f.device;
    const data = await api("/api/v1/sensing/dead-letters", {
      query: { reason: f.reason, device: f.device, offset: (f.page - 1) * SIZE, limit: SIZE },
    });
    current = { f, data };
    render();
  }

  function render() {
    if (!current) return;
    const { f, data } = current;
    const chips = Object.entries(data.per_reason ?? {}).sort((a, b) => b[1] - a[1]);
    clear(document.getElementById("reason-chips"), chips.length
      ? chips.map(([reason, n]) => h("button", {
        type: "button", class: "chip", "data-reason": reason, "aria-pressed": String(f.reason === reason),
        onclick: () => go({ reason: f.reason === reason ? "" : reason, device: f.device }),
        text: `${reasonText(reason)} · ${n}`,
      }))
      : h("span", { class: "muted", text: t("dead.none") }));
    document.getElementById("dead-count").textContent = t("dead.count", { total: data.total });
    clear(document.getElementById("dead-list"), (data.items ?? []).map((d) =>
      h("li", { class: "dead-item", "data-id": d.id },
        h("div", { class: "dead-head" },
          h("span", { class: "chip status", text: reasonText(d.reason) }),
          h("time", { datetime: d.received_at, text: formatTime(d.received_at) }),
          h("span", { text: `${t("dead.channel")}: ${d.channel}` }),
          d.device_code
            ? h("a", { href: `/console/devices/${encodeURIComponent(d.device_code)}`, text: d.device_code })
            : h("span", { class: "muted", text: t("dead.no_device") }),
          d.repeats > 1 ? h("span", { class: "muted", text: t("dead.repeats", { n: d.repeats }) }) : null,
          d.source ? h("span", { class: "muted small", text: d.source }) : null),
        d.detail ? h("p", { class: "dead-detail", text: d.detail }) : null,
        h("pre", { class: "payload", text: d.payload }))));
    const pages = Math.max(1, Math.ceil(data.total / SIZE));
    const button = (label, page, disabled) =>
      h("button", { type: "button", class: "btn", disabled, onclick: () => go({ ...f, page }), text: label });
    clear(document.getElementById("pager"),
      button(t("cases.prev"), f.page - 1, f.page <= 1),
      h("span", { class: "pager-info", text: t("cases.page_of", { page: f.page, pages }) }),
      button(t("cases.next"), f.page + 1, f.page >= pages));
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    go({ reason: form.reason.value, device: form.device.value.trim() });
  });
  form.addEventListener("reset", (ev) => {
    ev.preventDefault();
    go({});
  });
  window.addEventListener("popstate", load);
  onLangChange(() => {
    load();
  });
  await load();
}
