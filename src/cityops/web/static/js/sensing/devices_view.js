// 设备: filters (kept in the URL), the list with paging, a map coloured by online state; for
// administrators 登记设备 (the point picked on the map or typed; the token shown once) and bulk
// import (CSV / Excel, all rows or none, with the errors per row) and export.
import { api, download, upload } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { createMap, drawAreas, fitTo, pickMarker } from "../map.js";
import { areaFeatures, departments, fillSelect } from "../options.js";
import {
  areaLabel, copyText, deviceState, deviceTypes, STATE_COLOURS, stateChip, typeName,
} from "./common.js";
import { hasRole } from "../shell.js";

const SIZE = 20;
const MAP_LIMIT = 500;
const FIELDS = ["q", "type_code", "area", "status"];
const STATUSES = ["active", "maintenance", "retired"];
const L = globalThis.L;

/** Build the page for the signed-in `user` (only when the page was not refused). */
export async function run(user) {
  const form = document.getElementById("filters");
  const manager = hasRole(user, "admin", "integration");
  const map = createMap(document.getElementById("device-map"));
  let types = [];
  let areas = [];
  let depts = [];
  let current = null;
  let mapLayer = null;
  let picked = null;

  function filtersFromUrl() {
    const params = new URLSearchParams(location.search);
    const filters = {};
    for (const key of FIELDS) if (params.get(key)) filters[key] = params.get(key);
    return { filters, page: Math.max(1, Number(params.get("page")) || 1) };
  }

  function fillFilters(filters) {
    fillSelect(form.type_code, types.map((k) => [k.code, typeName(k)]), { any: t("cases.any"), value: filters.type_code ?? "" });
    fillSelect(form.area, areas.map((f) => [f.properties.code, f.properties.name]), { any: t("cases.any"), value: filters.area ?? "" });
    fillSelect(form.status, STATUSES.map((s) => [s, t(`device.status.${s}`)]), { any: t("cases.any"), value: filters.status ?? "" });
    form.q.value = filters.q ?? "";
  }

  const typeOf = (code) => types.find((k) => k.code === code);

  /** Latest values by device code of the devices shown: one request per device type among them
   * (the latest API answers per type and/or area, however many devices). */
  async function latestByCode(filters, devices) {
    const kinds = filters.type_code ? [filters.type_code] : [...new Set(devices.map((d) => d.type_code))];
    const answers = await Promise.all(kinds.map((type) => api("/api/v1/sensing/latest", {
      query: { type, area: filters.area, limit: 5000 }, background: true,
    })));
    return new Map(answers.flatMap((data) => (data.devices ?? []).map((d) => [d.code, d.values])));
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const { filters, page } = filtersFromUrl();
    fillFilters(filters);
    const table = document.getElementById("device-table");
    table.setAttribute("aria-busy", "true");
    try {
      const base = { type_code: filters.type_code, area: filters.area, status: filters.status, q: filters.q };
      const [list, all] = await Promise.all([
        api("/api/v1/sensing/devices", { query: { ...base, offset: (page - 1) * SIZE, limit: SIZE } }),
        api("/api/v1/sensing/devices", { query: { ...base, limit: MAP_LIMIT } }),
      ]);
      const [latest, health] = await Promise.all([
        latestByCode(filters, [...list.items, ...all.items]),
        // its window's end is the server's "now", against which a device is online or not
        api("/api/v1/sensing/health", { query: { window: 5 }, background: true }),
      ]);
      if (mine !== seq) return;
      const now = Date.parse(health.window_end);
      current = { filters, page, list, all, latest, now };
      render();
      drawDevices();
    } catch (err) {
      clear(table, h("p", { class: "error", text: err.message }));
    } finally {
      table.setAttribute("aria-busy", "false");
    }
  }

  function render() {
    if (!current) return;
    const { list, latest, page, filters, now } = current;
    const items = list.items ?? [];
    document.getElementById("device-count").textContent = t("devices.count", { total: list.total });
    const cols = ["device.code", "device.name", "device.type", "device.state", "device.area", "device.updated"];
    clear(document.getElementById("device-table"), items.length
      ? h("table", { class: "table device-table" },
        h("caption", { class: "visually-hidden", text: t("devices.list") }),
        h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col", text: t(c) })))),
        h("tbody", {}, items.map((d) => {
          const values = latest.get(d.code);
          const newest = values?.length ? values.map((v) => v.ts).sort().at(-1) : null;
          const cells = [
            h("td", {}, h("a", { class: "device-code", href: `/console/devices/${encodeURIComponent(d.code)}`, text: d.code })),
            h("td", { text: d.name || "—" }),
            h("td", { text: typeName(typeOf(d.type_code)) || d.type_code }),
            h("td", {}, stateChip(deviceState(d, values, now))),
            h("td", { text: areaLabel(d.area_code, areas) }),
            h("td", { class: "nowrap", text: formatTime(newest) }),
          ];
          cells.forEach((td, n) => { td.dataset.label = t(cols[n]); }); // the column's name on a phone
          return h("tr", { "data-device": d.code }, cells);
        })))
      : h("p", { class: "muted", text: t("devices.none") }));
    const pages = Math.max(1, Math.ceil(list.total / SIZE));
    const button = (label, target, disabled) =>
      h("button", { type: "button", class: "btn", disabled, onclick: () => go(filters, target), text: label });
    clear(document.getElementById("pager"),
      button(t("cases.prev"), page - 1, page <= 1),
      h("span", { class: "pager-info", text: t("cases.page_of", { page, pages }) }),
      button(t("cases.next"), page + 1, page >= pages));
  }

  function popup(d, state) {
    return h("div", { class: "popup" },
      h("a", { href: `/console/devices/${encodeURIComponent(d.code)}`, text: d.code }),
      h("div", { text: d.name || typeName(typeOf(d.type_code)) }),
      stateChip(state));
  }

  function drawDevices() {
    if (mapLayer) mapLayer.remove();
    const { all, latest, now } = current;
    mapLayer = L.featureGroup();
    // the devices without data first, online ones last: the states that matter are drawn on top
    const RANK = { never: 0, retired: 0, maintenance: 1, offline: 2, online: 3 };
    const placed = (all.items ?? []).map((d) => [d, deviceState(d, latest.get(d.code), now)])
      .sort((a, b) => RANK[a[1]] - RANK[b[1]]);
    for (const [d, state] of placed) {
      const marker = L.circleMarker([d.lat, d.lon], {
        radius: 7, color: "#ffffff", weight: 2, fillColor: STATE_COLOURS[state], fillOpacity: 0.95,
      });
      marker.bindTooltip(d.code, { direction: "top" });
      marker.bindPopup(() => popup(d, state));
      marker.on("dblclick", () => location.assign(`/console/devices/${encodeURIComponent(d.code)}`));
      mapLayer.addLayer(marker);
    }
    mapLayer.addTo(map);
    // a maximum zoom: the map has no tile layer (no zoom limit), and devices at one point would
    // give Leaflet an infinite zoom
    const bounds = mapLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [32, 32], maxZoom: 16, animate: false });
    document.getElementById("map-note").textContent = all.total > MAP_LIMIT
      ? t("devices.map_limited", { shown: MAP_LIMIT, total: all.total }) : "";
  }

  function go(filters, page = 1) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
    if (page > 1) params.set("page", page);
    history.pushState(null, "", `/console/devices${params.size ? `?${params}` : ""}`);
    load();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const filters = {};
    for (const key of FIELDS) {
      const value = form[key].value.trim();
      if (value) filters[key] = value;
    }
    go(filters);
  });
  form.addEventListener("reset", (ev) => {
    ev.preventDefault();
    go({});
  });
  window.addEventListener("popstate", load);

  for (const [id, format] of [["export-csv", "csv"], ["export-xlsx", "xlsx"]]) {
    document.getElementById(id).addEventListener("click", async () => {
      const { filters } = filtersFromUrl();
      try {
        await download("/api/v1/sensing/devices/export", { ...filters, format }, `devices.${format}`);
      } catch (err) {
        flash(err.message, "error");
      }
    });
  }

  // -- registration (administrators) -----------------------------------------------------------
  const registerPanel = document.getElementById("register-panel");
  const registerForm = document.getElementById("register-form");
  const importPanel = document.getElementById("import-panel");

  function fillRegisterSelects() {
    fillSelect(registerForm.type_code, types.map((k) => [k.code, `${typeName(k)} (${k.code})`]));
    const pairs = depts.map((d) => [d.code, d.name]);
    fillSelect(registerForm.owner_department, pairs, { any: "—" });
    fillSelect(registerForm.om_department, pairs, { any: "—" });
  }

  function setPoint(lat, lon) {
    registerForm.lat.value = lat.toFixed(6);
    registerForm.lon.value = lon.toFixed(6);
    if (picked) picked.remove();
    picked = pickMarker(map, [lat, lon]);
  }

  map.on("click", (ev) => {
    if (registerPanel.hidden) return;
    setPoint(ev.latlng.lat, ev.latlng.lng);
  });

  if (manager) {
    document.getElementById("open-register").addEventListener("click", () => {
      registerPanel.hidden = false;
      importPanel.hidden = true;
      document.getElementById("token-box").hidden = true;
      registerForm.hidden = false;
      registerForm.code.focus();
    });
    document.getElementById("register-cancel").addEventListener("click", () => {
      registerPanel.hidden = true;
      if (picked) picked.remove();
    });
    document.getElementById("open-import").addEventListener("click", () => {
      importPanel.hidden = !importPanel.hidden;
      registerPanel.hidden = true;
    });
    registerForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {
        code: registerForm.code.value.trim(),
        type_code: registerForm.type_code.value,
        name: registerForm.name.value.trim(),
        lon: Number(registerForm.lon.value),
        lat: Number(registerForm.lat.value),
        owner_department: registerForm.owner_department.value,
        om_department: registerForm.om_department.value,
      };
      if (!Number.isFinite(body.lon) || !Number.isFinite(body.lat) || registerForm.lon.value === "") {
        flash(t("devices.need_point"), "error");
        return;
      }
      try {
        const done = await api("/api/v1/sensing/devices", { method: "POST", body });
        registerForm.hidden = true;
        registerForm.reset();
        document.getElementById("token-value").textContent = done.token;
        document.getElementById("token-device").href = `/console/devices/${encodeURIComponent(done.device.code)}`;
        document.getElementById("token-box").hidden = false;
        flash(t("devices.registered", { code: done.device.code }), "ok");
        await load();
      } catch (err) {
        flash(err.message, "error");
      }
    });
    document.getElementById("token-copy").addEventListener("click", async () => {
      const ok = await copyText(document.getElementById("token-value").textContent);
      flash(t(ok ? "devices.copied" : "devices.copy_failed"), ok ? "ok" : "error");
    });
    document.getElementById("import-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const file = ev.target.file.files[0];
      if (!file) return;
      const data = new FormData();
      data.append("file", file);
      const box = document.getElementById("import-result");
      clear(box, h("p", { class: "muted", text: "…" }));
      try {
        const done = await upload("/api/v1/sensing/devices/import", data);
        clear(box, h("p", { class: "ok", "data-imported": done.imported, text: t("devices.imported", { count: done.imported }) }));
        await load();
      } catch (err) {
        const report = err.details;
        if (err.code !== "device_import_rejected" || !report) {
          clear(box, h("p", { class: "error", text: err.message }));
          return;
        }
        clear(box,
          h("p", { class: "error", text: t("devices.import_rejected", { errors: report.error_count, rows: report.rows }) }),
          h("div", { class: "table-wrap import-errors" },
            h("table", { class: "table", id: "import-errors" },
              h("thead", {}, h("tr", {},
                ["devices.err_row", "devices.err_column", "devices.err_message"].map((k) => h("th", { scope: "col", text: t(k) })))),
              h("tbody", {}, report.errors.map((e) => h("tr", {},
                h("td", { text: e.row }),
                h("td", { text: e.column || "—" }),
                h("td", { text: e.message })))))));
      }
    });
  }

  onLangChange(() => {
    fillFilters(filtersFromUrl().filters);
    if (manager) fillRegisterSelects();
    render();
  });

  [types, areas, depts] = await Promise.all([
    deviceTypes().catch(() => []),
    areaFeatures("street").catch(() => []),
    manager ? departments().catch(() => []) : Promise.resolve([]),
  ]);
  if (manager) fillRegisterSelects();
  const areaLayer = drawAreas(map, { type: "FeatureCollection", features: areas });
  areaLayer.bringToBack();
  fitTo(map, areaLayer);
  await load();
}
