// 网格通: the grid inspector's phone app (/m). Four screens behind a tab bar — 我的网格 (the
// inspector's areas and open tasks on a map, and where they stand), 上报 (photo, GPS point,
// category, a few words), 我的任务 (核查 of handled cases in their areas and their own reports to
// self-handle, with distance, navigation links and the case's photos) and 待同步 (the outbox).
// Every write goes through the outbox (outbox.js), so the app works the same with no network.
// The service worker (/m/sw.js) keeps the shell and the last reads for offline use.
import { api, me, signOut } from "../api.js";
import { h, clear } from "../dom.js";
import { applyI18n, initI18n, lang, onLangChange, t } from "../i18n.js";
import { caseMarker, createMap, drawAreas, fitTo, pickMarker } from "../map.js";
import { Outbox } from "./outbox.js";

const L = globalThis.L;
const RECENT_KEY = "cityops.m.recent_categories";
const TASK_ACTIONS = ["verify", "self_handle"];
const state = {
  user: null,
  areas: null, // GeoJSON FeatureCollection of the inspector's areas (streets)
  grids: null, // and of the grids inside them
  categories: [],
  tasks: [],
  position: null, // {lat, lon, accuracy}
  point: null, // the report's point
  chosen: null, // the report's category
  reportPhotos: [],
  verifyPhotos: [],
  items: [],
};
const views = ["map", "report", "tasks", "task", "outbox"];
let bigMap = null;
let bigLayers = [];
let smallMap = null;
let smallMarker = null;
let meMarker = null;
let doneSeen = 0;
const outbox = new Outbox({ onChange: (items) => showOutbox(items) });

const $ = (id) => document.getElementById(id);

function flash(text, kind = "info") {
  const el = $("m-flash");
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = !text;
  if (text) setTimeout(() => { if (el.textContent === text) el.hidden = true; }, 5000);
}

// ---- network state and the pending badge -------------------------------------------------

function showNet() {
  const el = $("m-net");
  el.hidden = navigator.onLine;
  el.textContent = navigator.onLine ? "" : t("m.offline");
}

function showOutbox(items) {
  state.items = items;
  const waiting = items.filter((i) => i.state === "pending" || i.state === "sending").length;
  const badge = $("m-pending");
  badge.hidden = waiting === 0;
  badge.textContent = String(waiting);
  badge.setAttribute("aria-label", t("m.pending_count", { n: waiting }));
  $("outbox-note").textContent = items.length ? t("m.pending_count", { n: waiting }) : t("m.outbox_empty");
  clear($("outbox-list"), ...items.map(outboxCard));
  const done = items.filter((i) => i.state === "done").length;
  if (done > doneSeen && state.user) loadTasks(); // a synced write changes the tasks
  doneSeen = done;
}

function outboxCard(item) {
  const label = item.label || (item.kind === "report" ? t("m.tab.report") : item.action);
  const bits = [
    h("div", { class: "m-card-head" },
      h("strong", {}, label),
      h("span", { class: `m-state m-state-${item.state}` }, t(`m.state.${item.state}`))),
    h("div", { class: "m-muted" }, new Date(item.created).toLocaleString(lang())),
  ];
  if ((item.photos?.length ?? 0) || item.refs?.length) {
    bits.push(h("div", { class: "m-muted" }, t("m.photo_count", { n: Math.max(item.photos?.length ?? 0, item.refs?.length ?? 0) })));
  }
  if (item.result?.number) bits.push(h("div", {}, t("m.synced_as", { number: item.result.number })));
  // a conflict in the words of this screen (the server's say "reload the page"); else the reason
  if (item.state === "conflict") bits.push(h("div", { class: "m-error" }, t("m.conflict_text")));
  else if (item.error) bits.push(h("div", { class: "m-error" }, item.error));
  if (item.state === "conflict" || item.state === "failed") {
    bits.push(h("button", { type: "button", class: "m-btn", onclick: () => outbox.discard(item.id) }, t("m.discard")));
  }
  return h("li", { class: "m-card", "data-state": item.state, "data-kind": item.kind }, ...bits);
}

// ---- location -------------------------------------------------------------------------------

function locate() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        state.position = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy };
        resolve(state.position);
      },
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 },
    );
  });
}

function distance(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(s));
}

function distanceText(c) {
  if (!state.position || c.lat == null) return "";
  const m = distance(state.position, { lat: c.lat, lon: c.lon });
  return m < 1000 ? t("m.metres", { n: Math.round(m) }) : t("m.km", { n: (m / 1000).toFixed(1) });
}

/** Links that open the phone's map app at the case: geo: (Android), 高德 and 百度 (WGS84 given). */
function navLinks(c) {
  const name = encodeURIComponent(c.address || c.title);
  return h("div", { class: "m-nav-links" },
    h("a", { class: "m-btn", href: `geo:${c.lat},${c.lon}?q=${c.lat},${c.lon}(${name})` }, t("m.nav.geo")),
    h("a", { class: "m-btn", href: `https://uri.amap.com/marker?position=${c.lon},${c.lat}&name=${name}&coordinate=wgs84&callnative=1`, target: "_blank", rel: "noopener" }, t("m.nav.amap")),
    h("a", { class: "m-btn", href: `baidumap://map/marker?location=${c.lat},${c.lon}&title=${name}&content=${name}&coord_type=wgs84&src=cityops.mobile` }, t("m.nav.baidu")));
}

// ---- data -----------------------------------------------------------------------------------

async function loadAreas() {
  const codes = state.user.area_codes ?? [];
  const features = [];
  const grids = [];
  for (const code of codes) {
    try {
      features.push(await api(`/api/v1/areas/${encodeURIComponent(code)}`));
      const all = await api("/api/v1/areas", { query: { level: "grid" } });
      grids.push(...all.features.filter((f) => f.id.startsWith(code) && !f.properties.retired));
    } catch {
      /* offline without a kept answer: the map shows the tasks only */
    }
  }
  state.areas = { type: "FeatureCollection", features };
  state.grids = { type: "FeatureCollection", features: grids };
}

async function loadCategories() {
  try {
    const all = await api("/api/v1/categories", { query: { leaf_only: true } });
    state.categories = all.filter((c) => c.kind !== "appeal" && c.active);
  } catch {
    state.categories = [];
  }
}

async function loadTasks() {
  try {
    const [handled, mine] = await Promise.all([
      api("/api/v1/cases", { query: { status: "handled", size: 100 } }),
      api("/api/v1/cases", { query: { status: "reported", mine: true, size: 100 } }),
    ]);
    const seen = new Set();
    state.tasks = [...handled.items, ...mine.items].filter((c) => {
      if (seen.has(c.id)) return false;
      seen.add(c.id);
      return c.allowed_actions.some((a) => TASK_ACTIONS.includes(a));
    });
    $("tasks-note").textContent = state.tasks.length ? "" : t("m.no_tasks");
    keepForOffline(state.tasks);
  } catch {
    $("tasks-note").textContent = t("m.tasks_unavailable");
  }
  renderTasks();
  drawBigMap();
}

// ---- 我的网格 ---------------------------------------------------------------------------------

function drawBigMap() {
  if (!bigMap) return;
  for (const layer of bigLayers) layer.remove();
  bigLayers = [];
  if (state.grids?.features.length) bigLayers.push(drawGrids(bigMap, state.grids));
  if (state.areas?.features.length) {
    const layer = drawAreas(bigMap, state.areas);
    bigLayers.push(layer);
    fitTo(bigMap, layer);
  }
  for (const c of state.tasks) {
    if (c.lat == null) continue;
    const popup = h("div", {}, h("strong", {}, c.number), h("div", {}, c.title),
      h("a", { href: `#task/${c.id}` }, t("m.open_task")));
    bigLayers.push(caseMarker(bigMap, c, popup));
  }
  showMe();
  $("m-map-note").textContent = t("m.task_count", { n: state.tasks.length });
}

/** The grids as thin lines, their names on touch only (many of them would cover the map). */
function drawGrids(map, geojson) {
  return L.geoJSON(geojson, {
    style: { color: "#5f87b8", weight: 1, fillOpacity: 0, dashArray: "4 3" },
    onEachFeature: (f, layer) => layer.bindTooltip(f.properties?.name ?? f.id, { sticky: true }),
  }).addTo(map);
}

function showMe() {
  if (!bigMap || !state.position) return;
  meMarker?.remove();
  meMarker = L.circleMarker([state.position.lat, state.position.lon], {
    radius: 8, color: "#ffffff", weight: 3, fillColor: "#1a73e8", fillOpacity: 1,
  }).addTo(bigMap);
}

// ---- 上报 -----------------------------------------------------------------------------------

function thumbs(el, photos, onRemove) {
  clear(el, ...photos.map((file, i) => {
    const url = URL.createObjectURL(file);
    return h("div", { class: "m-thumb" },
      h("img", { src: url, alt: t("m.photo_n", { n: i + 1 }) }),
      h("button", { type: "button", class: "m-thumb-x", "aria-label": t("m.remove_photo"), onclick: () => onRemove(i) }, "×"));
  }));
}

function setPoint(lat, lon) {
  state.point = { lat, lon };
  $("r-point").textContent = t("m.point", { lat: lat.toFixed(5), lon: lon.toFixed(5) });
  if (smallMap) {
    smallMarker?.remove();
    smallMarker = pickMarker(smallMap, [lat, lon]);
    smallMap.setView([lat, lon], Math.max(smallMap.getZoom(), 16), { animate: false });
  }
}

function recentCodes() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
  } catch {
    return [];
  }
}

function remember(code) {
  const codes = [code, ...recentCodes().filter((c) => c !== code)].slice(0, 6);
  localStorage.setItem(RECENT_KEY, JSON.stringify(codes));
}

function choose(c) {
  state.chosen = c;
  clear($("r-cat-chosen"), c ? h("span", { class: "m-chip m-chip-on" }, `${c.name} · ${c.code}`) : "");
  renderCategories();
}

function renderCategories() {
  const q = $("r-cat-q").value.trim().toLowerCase();
  const byCode = new Map(state.categories.map((c) => [c.code, c]));
  const recent = recentCodes().map((code) => byCode.get(code)).filter(Boolean);
  clear($("r-cat-recent"), ...(recent.length ? [h("span", { class: "m-muted" }, t("m.recent"))] : []),
    ...recent.map((c) => h("button", {
      type: "button", class: `m-chip${state.chosen?.code === c.code ? " m-chip-on" : ""}`, onclick: () => choose(c),
    }, c.name)));
  const found = q
    ? state.categories.filter((c) => c.name.toLowerCase().includes(q) || c.code.toLowerCase().includes(q)).slice(0, 12)
    : [];
  clear($("r-cat-list"), ...found.map((c) => h("li", {},
    h("button", { type: "button", class: "m-option", onclick: () => { $("r-cat-q").value = ""; choose(c); } },
      h("span", {}, c.name), h("span", { class: "m-muted" }, c.code)))));
}

async function submitReport(ev) {
  ev.preventDefault();
  if (!state.chosen) return flash(t("m.need_category"), "error");
  if (!state.point) return flash(t("m.need_point"), "error");
  if (!state.reportPhotos.length) return flash(t("m.need_photo"), "error");
  const desc = $("r-desc").value.trim();
  remember(state.chosen.code);
  await outbox.add({
    kind: "report",
    label: `${t("m.tab.report")} · ${state.chosen.name}`,
    body: {
      source: "inspector",
      title: state.chosen.name,
      description: desc || state.chosen.name,
      category_code: state.chosen.code,
      lon: state.point.lon,
      lat: state.point.lat,
    },
    photos: state.reportPhotos,
  });
  state.reportPhotos = [];
  thumbs($("r-thumbs"), [], () => {});
  $("r-desc").value = "";
  choose(null);
  flash(navigator.onLine ? t("m.queued_online") : t("m.queued_offline"));
  location.hash = "#outbox";
}

// ---- 我的任务 and 核查 ----------------------------------------------------------------------------

function taskKind(c) {
  return c.allowed_actions.includes("verify") ? "verify" : "self_handle";
}

function queuedFor(c) {
  return state.items.find((i) => i.kind === "action" && i.caseId === c.id && i.state !== "done");
}

function renderTasks() {
  clear($("task-list"), ...state.tasks.map((c) => {
    const queued = queuedFor(c);
    return h("li", { class: "m-card", "data-case": c.number },
      h("a", { class: "m-card-link", href: `#task/${c.id}` },
        h("div", { class: "m-card-head" },
          h("strong", {}, c.number),
          h("span", { class: "m-tag" }, t(`m.task.${taskKind(c)}`))),
        h("div", {}, c.title),
        h("div", { class: "m-muted" }, [c.address, c.area?.grid?.name ?? c.area?.community?.name].filter(Boolean).join(" · ")),
        h("div", { class: "m-card-foot" },
          h("span", { class: "m-muted" }, distanceText(c)),
          queued ? h("span", { class: `m-state m-state-${queued.state}` }, t(`m.state.${queued.state}`)) : "")));
  }));
}

async function casePhotos(c) {
  try {
    const history = await api(`/api/v1/cases/${c.id}/history`);
    return history.flatMap((line) => line.attachments ?? []);
  } catch {
    return [];
  }
}

/** Read each task's history and photos once while online: the service worker keeps them, so a
 * task opened with no network still shows its photos. */
async function keepForOffline(tasks) {
  if (!navigator.onLine || !navigator.serviceWorker?.controller) return;
  for (const c of tasks.slice(0, 30)) {
    for (const ref of await casePhotos(c)) fetch(ref).catch(() => {});
  }
}

async function showTask(id) {
  const c = state.tasks.find((x) => x.id === id);
  const detail = $("task-detail");
  if (!c) {
    $("h-task").textContent = t("m.task_gone");
    clear(detail);
    $("verify-form").hidden = true;
    return;
  }
  $("h-task").textContent = `${c.number} · ${c.title}`;
  const kind = taskKind(c);
  clear(detail,
    h("p", {}, c.description),
    h("p", { class: "m-muted" }, [c.address, distanceText(c)].filter(Boolean).join(" · ")),
    c.lat != null ? navLinks(c) : "",
    h("div", { id: "task-photos", class: "m-thumbs" }));
  const form = $("verify-form");
  form.hidden = false;
  form.dataset.caseId = String(c.id);
  form.dataset.kind = kind;
  $("verify-title").textContent = t(`m.task.${kind}`);
  $("verify-result").hidden = kind !== "verify";
  for (const input of form.querySelectorAll("input[name=passed]")) input.checked = false;
  $("v-note").value = "";
  state.verifyPhotos = [];
  thumbs($("v-thumbs"), [], () => {});
  const queued = queuedFor(c);
  if (queued) detail.append(h("p", { class: "m-tag" }, t(`m.state.${queued.state}`)));
  const refs = await casePhotos(c);
  const box = document.getElementById("task-photos");
  if (box) clear(box, ...refs.map((ref, i) => h("a", { href: ref, target: "_blank", rel: "noopener", class: "m-thumb" },
    h("img", { src: ref, alt: t("m.photo_n", { n: i + 1 }), loading: "lazy" }))));
}

async function submitVerify(ev) {
  ev.preventDefault();
  const form = $("verify-form");
  const c = state.tasks.find((x) => x.id === Number(form.dataset.caseId));
  if (!c) return;
  const kind = form.dataset.kind;
  const note = $("v-note").value.trim();
  const body = { version: c.version, note };
  if (kind === "verify") {
    const picked = form.querySelector("input[name=passed]:checked");
    if (!picked) return flash(t("m.need_result"), "error");
    body.passed = picked.value === "yes";
    if (!body.passed && !note) return flash(t("m.need_note"), "error");
  } else if (!note && !state.verifyPhotos.length) {
    return flash(t("m.need_result_note"), "error");
  }
  await outbox.add({
    kind: "action",
    action: kind,
    caseId: c.id,
    label: `${t(`m.task.${kind}`)} · ${c.number}`,
    body,
    photos: state.verifyPhotos,
  });
  state.verifyPhotos = [];
  flash(navigator.onLine ? t("m.queued_online") : t("m.queued_offline"));
  location.hash = "#outbox";
}

// ---- screens --------------------------------------------------------------------------------

function route() {
  const [name, arg] = (location.hash.slice(1) || "map").split("/");
  const view = views.includes(name) ? name : "map";
  if (view !== "outbox") $("m-flash").hidden = true;
  for (const v of views) $(`view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll(".m-tabs a")) {
    const on = a.dataset.tab === view || (view === "task" && a.dataset.tab === "tasks");
    if (on) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (view === "map") {
    bigMap ??= createMap($("m-map"));
    bigMap.invalidateSize();
    drawBigMap();
  } else if (view === "report") {
    if (!smallMap) {
      smallMap = createMap($("r-map"));
      if (state.grids?.features.length) drawGrids(smallMap, state.grids);
      smallMap.on("click", (e) => setPoint(e.latlng.lat, e.latlng.lng));
    }
    smallMap.invalidateSize();
    if (state.point) setPoint(state.point.lat, state.point.lon);
    else if (state.position) setPoint(state.position.lat, state.position.lon);
    renderCategories();
  } else if (view === "tasks") {
    renderTasks();
  } else if (view === "task") {
    showTask(Number(arg));
  }
  window.scrollTo(0, 0);
}

async function start() {
  await initI18n();
  applyI18n();
  showNet();
  addEventListener("online", () => {
    showNet();
    $("m-flash").hidden = true; // "saved while offline" is old news now
  });
  addEventListener("offline", showNet);
  if ("serviceWorker" in navigator) {
    // the first time the worker takes over, read the data again through it, so that it keeps
    // what the app needs to open with no network
    const fresh = !navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", async () => {
      if (!fresh) return;
      try {
        state.user = await api("/api/v1/users/me");
        await Promise.all([loadAreas(), loadCategories(), loadTasks()]);
        document.body.dataset.offlineReady = "1";
      } catch {
        /* offline already: the next visit fills the cache */
      }
    });
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m" }).catch((err) => console.warn("service worker", err));
  }
  state.user = await me();
  outbox.owner = state.user.username;
  forgetAnotherAccountsReads(state.user.username);
  await Promise.all([loadAreas(), loadCategories(), locate()]);
  await outbox.changed();
  addEventListener("hashchange", route);
  route();
  await loadTasks();
  if (state.position && !state.point) setPoint(state.position.lat, state.position.lon);
  outbox.sync();

  $("m-locate").addEventListener("click", async () => {
    if (await locate()) {
      showMe();
      bigMap?.setView([state.position.lat, state.position.lon], 16);
      renderTasks();
    } else flash(t("m.no_location"), "error");
  });
  $("r-here").addEventListener("click", async () => {
    if (await locate()) setPoint(state.position.lat, state.position.lon);
    else flash(t("m.no_location"), "error");
  });
  $("r-photo").addEventListener("change", (ev) => {
    state.reportPhotos.push(...ev.target.files);
    ev.target.value = "";
    const redraw = () => thumbs($("r-thumbs"), state.reportPhotos, (i) => { state.reportPhotos.splice(i, 1); redraw(); });
    redraw();
  });
  $("v-photo").addEventListener("change", (ev) => {
    state.verifyPhotos.push(...ev.target.files);
    ev.target.value = "";
    const redraw = () => thumbs($("v-thumbs"), state.verifyPhotos, (i) => { state.verifyPhotos.splice(i, 1); redraw(); });
    redraw();
  });
  $("r-cat-q").addEventListener("input", renderCategories);
  $("report-form").addEventListener("submit", submitReport);
  $("verify-form").addEventListener("submit", submitVerify);
  $("outbox-sync").addEventListener("click", () => { outbox.signedOut = false; outbox.sync(); });
  $("outbox-clear").addEventListener("click", () => outbox.clearDone());
  $("m-signout").addEventListener("click", async () => {
    $("m-signout").disabled = true;
    await signOut();
    tellWorker("sign-out"); // the reads it kept for offline use go with the session
    location.assign(`/login?next=${encodeURIComponent("/m")}`);
  });
  onLangChange(() => {
    showNet();
    showOutbox(state.items);
    route();
  });
}

/** A message to the service worker (it clears the reads it keeps on "sign-out"). */
function tellWorker(message) {
  navigator.serviceWorker?.controller?.postMessage(message);
}

/** A phone passed on without signing out: the reads kept for offline use are the previous
 * account's, so they are dropped before this account's are read. */
function forgetAnotherAccountsReads(username) {
  const last = localStorage.getItem("cityops.m.user");
  if (last !== null && last !== username) tellWorker("sign-out");
  localStorage.setItem("cityops.m.user", username);
}

start();
