// 热线受理台: one screen for a call in progress. The phone loads the caller's earlier appeals;
// typing asks /hotline/assist (debounced) for category suggestions, knowledge-base answers and
// similar open cases nearby; then 受理 / 直派 / 直接办结 (or 合并 into a similar case) in one request.
import { api } from "../api.js";
import { clear, flash, formatTime, h, statusChip } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { createMap, drawAreas, pickMarker } from "../map.js";
import { placeSearch, STREET_ZOOM } from "../place_search.js";
import { areaFeatures, categories, departments, fillSelect } from "../options.js";
import { startPage } from "../shell.js";

const TYPES = ["consultation", "help", "complaint", "report", "suggestion"];
const ASSIST_DELAY = 350;
const MIN_TEXT = 4;

await startPage();
const form = document.getElementById("call");
const $ = (id) => document.getElementById(id);
const errorBox = $("h-error");
const receiptBox = $("h-receipt");
const buttons = Object.fromEntries([...form.querySelectorAll("[data-mode]")].map((b) => [b.dataset.mode, b]));

const state = {
  rights: { record: false, dispatch: false, answer: false, merge: false },
  point: null,
  chain: null,
  article: null,
  history: null,
  assist: null,
  manualHits: null,
  categories: [],
  departments: [],
};
let marker = null;
let assistSeq = 0;

// ---- selects ---------------------------------------------------------------------------------

function renderTypes(value = form.appeal_type.value || "help") {
  fillSelect(form.appeal_type, TYPES.map((k) => [k, t(`appeal_type.${k}`)]), { value });
}

function renderCategories(keep = form.category_code.value) {
  const pairs = state.categories.map((c) => [c.code, `${c.code} ${c.name}`]);
  if (keep && !pairs.some(([code]) => code === keep)) pairs.unshift([keep, keep]);
  fillSelect(form.category_code, pairs, { any: t("hotline.category_auto"), value: keep });
}

function renderDepartments(keep = form.department_code.value) {
  fillSelect(form.department_code, state.departments.map((d) => [d.code, d.name]), {
    any: t("hotline.department_auto"),
    value: keep,
  });
}

function setCategory(code, name) {
  if (!code) return;
  if (!state.categories.some((c) => c.code === code)) state.categories.unshift({ code, name: name ?? "" });
  renderCategories(code);
}

// ---- the caller's earlier appeals ------------------------------------------------------------

function renderHistory() {
  const box = $("h-history");
  if (!state.history) return clear(box, h("p", { class: "muted small", text: t("hotline.history_none") }));
  if (state.history.error) return clear(box, h("p", { class: "error", text: state.history.error }));
  if (!state.history.items.length) return clear(box, h("p", { class: "muted small", text: t("hotline.history_empty") }));
  clear(box, h("ul", { class: "plain hits" }, state.history.items.map((c) =>
    h("li", { class: "hit" },
      h("div", { class: "hit-head" },
        h("a", { href: `/cases/${c.case_id}`, class: "case-link", target: "_blank", text: c.number }),
        statusChip(c.status),
        h("time", { class: "muted small", text: formatTime(c.reported_at) })),
      h("p", { class: "hit-text", text: c.title }),
      h("p", { class: "muted small", text: [c.category_name, c.department_name].filter(Boolean).join(" · ") })))));
}

async function loadHistory() {
  const phone = form.phone.value.replace(/\s+/g, "");
  if (phone.length < 7) {
    state.history = null;
    return renderHistory();
  }
  try {
    const items = await api(`/api/v1/hotline/callers/${encodeURIComponent(phone)}/appeals`);
    state.history = { items };
    // the map goes to where the caller's last appeal was, until a point is picked
    const last = items.find((c) => c.lon != null && c.lat != null);
    if (last && !state.point) map.setView([last.lat, last.lon], STREET_ZOOM, { animate: false });
  } catch (err) {
    state.history = { error: err.message };
  }
  renderHistory();
}

// ---- assistance while typing -----------------------------------------------------------------

function pct(p) {
  return `${Math.round(p * 100)}%`;
}

function renderSuggestions() {
  const box = $("h-suggestions");
  const list = state.assist?.suggestions ?? [];
  if (!state.assist) return clear(box, h("p", { class: "muted small", text: t("hotline.type_more") }));
  if (!list.length) return clear(box, h("p", { class: "muted small", text: t("hotline.no_suggestion") }));
  clear(box, list.map((s) => h("button", {
    type: "button",
    class: "chip chip-suggest",
    "aria-pressed": form.category_code.value === s.category_code ? "true" : "false",
    title: (s.top_words ?? []).map(([w]) => w).join(" "),
    onclick: () => {
      setCategory(s.category_code, s.category_name);
      if (s.department_code) {
        if (!state.departments.some((d) => d.code === s.department_code)) {
          state.departments.push({ code: s.department_code, name: s.department_name ?? s.department_code });
        }
        renderDepartments(s.department_code);
      }
      renderSuggestions();
    },
  }, `${s.category_name} ${pct(s.probability)}`, s.department_name ? ` · ${s.department_name}` : "")));
}

function useArticle(a) {
  state.article = a;
  form.answer.value = a.answer;
  form.appeal_type.value = "consultation";
  if (a.category_code) setCategory(a.category_code);
  renderArticleNote();
  buttons.answer.focus();
}

function renderArticleNote() {
  const a = state.article;
  $("h-article").textContent = a ? t("hotline.from_article", { code: a.code, title: a.title }) : "";
}

function renderArticles() {
  const box = $("h-articles");
  const list = state.manualHits ?? state.assist?.articles ?? [];
  if (!list.length) {
    return clear(box, h("li", { class: "muted small", text: t(state.assist || state.manualHits ? "hotline.no_article" : "hotline.type_more") }));
  }
  clear(box, list.map((a) => h("li", { class: "hit", "data-article": a.code },
    h("div", { class: "hit-head" },
      h("strong", { text: a.title }),
      a.department_name ? h("span", { class: "muted small", text: a.department_name }) : null),
    h("p", { class: "hit-text clamp", text: a.answer }),
    h("button", {
      type: "button",
      class: "btn btn-small btn-action",
      disabled: !state.rights.answer || undefined,
      "aria-label": t("hotline.use_answer_of", { title: a.title }),
      onclick: () => useArticle(a),
    }, t("hotline.answer_now")))));
}

function renderSimilar() {
  const box = $("h-similar");
  const list = state.assist?.similar ?? [];
  if (!state.point) return clear(box, h("li", { class: "muted small", text: t("hotline.similar_needs_point") }));
  if (!list.length) return clear(box, h("li", { class: "muted small", text: t("hotline.no_similar") }));
  clear(box, list.map((c) => h("li", { class: "hit" },
    h("div", { class: "hit-head" },
      h("a", { href: `/cases/${c.case_id}`, class: "case-link", target: "_blank", text: c.number }),
      statusChip(c.status),
      h("span", { class: "muted small", text: t("hotline.distance", { m: Math.round(c.distance_m ?? 0), score: pct(c.score) }) })),
    h("p", { class: "hit-text", text: c.title }),
    state.rights.merge
      ? h("button", {
        type: "button",
        class: "btn btn-small btn-warn-outline",
        "aria-label": t("hotline.merge_into", { number: c.number }),
        onclick: () => submit("record", { merge_into: c.case_id }),
      }, t("hotline.merge"))
      : null)));
}

function renderAssist() {
  renderSuggestions();
  renderArticles();
  renderSimilar();
}

async function assist() {
  const text = form.text.value.trim();
  const seq = ++assistSeq;
  if (text.length < MIN_TEXT) {
    state.assist = null;
    return renderAssist();
  }
  try {
    const found = await api("/api/v1/hotline/assist", {
      method: "POST",
      body: { text, lon: state.point?.lon, lat: state.point?.lat },
    });
    if (seq !== assistSeq) return; // a newer request is on its way
    state.assist = found;
    state.manualHits = null;
    renderAssist();
  } catch (err) {
    if (seq === assistSeq) flash(err.message, "error");
  }
}

let assistTimer;
function assistSoon() {
  clearTimeout(assistTimer);
  assistTimer = setTimeout(assist, ASSIST_DELAY);
}

let kbTimer;
$("h-kb-q").addEventListener("input", (ev) => {
  clearTimeout(kbTimer);
  const q = ev.target.value.trim();
  kbTimer = setTimeout(async () => {
    if (!q) {
      state.manualHits = null;
      return renderArticles();
    }
    try {
      state.manualHits = await api("/api/v1/knowledge", { query: { q, limit: 5 } });
      renderArticles();
    } catch (err) {
      flash(err.message, "error");
    }
  }, 250);
});

// ---- place -----------------------------------------------------------------------------------

function renderChain() {
  const box = $("h-chain");
  if (!state.point) return clear(box, h("span", { class: "muted", text: t("hotline.no_point") }));
  const areas = state.chain?.areas ?? [];
  clear(box, areas.map((a, i) => [i ? " › " : null, h("span", { class: "chain-part", text: a.name })]),
    ` (${state.point.lon.toFixed(5)}, ${state.point.lat.toFixed(5)})`);
}

async function pick(lon, lat) {
  state.point = { lon, lat };
  if (marker) marker.setLatLng([lat, lon]);
  else marker = pickMarker(map, [lat, lon]);
  try {
    state.chain = { areas: (await api("/api/v1/areas/locate", { query: { lon, lat } })).chain ?? [] };
  } catch {
    state.chain = null;
  }
  renderChain();
  assistSoon();
}

const map = createMap($("h-map"));
map.on("click", (ev) => pick(ev.latlng.lng, ev.latlng.lat));
map.on("zoomend", () => { $("h-map").dataset.zoom = String(map.getZoom()); });  // read by tests
// 地址搜索 on the address box: what the operator types offers the streets, communities and grids
// it names; choosing one moves the map there (the address as typed stays)
placeSearch({ input: form.address, hits: $("h-place-hits"), map, keepText: true, onPlace: (p) => pick(p.lon, p.lat) });

// ---- taking the call -------------------------------------------------------------------------

const DONE = { record: "hotline.done_record", dispatch: "hotline.done_dispatch", answer: "hotline.done_answer" };

async function submit(mode, extra = {}) {
  errorBox.hidden = true;
  const text = form.text.value.trim();
  if (text.length < MIN_TEXT) return fail(t("hotline.text_needed"), form.text);
  if (mode !== "answer" && !form.category_code.value) return fail(t("form.required", { field: t("case.category") }), form.category_code);
  if (mode !== "answer" && !state.point) return fail(t("hotline.point_needed"), $("h-map"));
  if (mode === "answer" && !form.answer.value.trim()) return fail(t("hotline.answer_needed"), form.answer);
  const body = {
    phone: form.phone.value.replace(/\s+/g, "") || undefined,
    appeal_type: form.appeal_type.value,
    text,
    mode,
    category_code: form.category_code.value || undefined,
    lon: state.point?.lon,
    lat: state.point?.lat,
    address: form.address.value.trim() || undefined,
    ...extra,
  };
  if (mode === "dispatch") body.department_code = form.department_code.value || undefined;
  if (mode === "answer") {
    body.answer = form.answer.value.trim();
    body.article_code = state.article?.code;
  }
  for (const b of Object.values(buttons)) b.disabled = true;
  try {
    const done = await api("/api/v1/hotline/calls", { method: "POST", body });
    const key = done.merged_into_number ? "hotline.done_merge" : DONE[done.mode];
    const words = t(key, { number: done.case.number, into: done.merged_into_number ?? "" });
    flash(words, "ok");
    form.reset(); // the reset handler clears the rest for the next call
    clear(receiptBox,
      h("span", { text: words }), " ",
      h("a", { href: `/cases/${done.case.id}`, text: t("hotline.open_case") }), " ",
      // the tracking code is the caller's own (it rates the case): it goes by SMS, never here
      h("span", { class: "muted small", text: t(done.sms ? "hotline.code_by_sms" : "hotline.no_sms") }));
    receiptBox.hidden = false;
    form.phone.focus();
  } catch (err) {
    fail(err.message);
  } finally {
    applyRights();
  }
}

function fail(message, focus) {
  errorBox.textContent = message;
  errorBox.hidden = false;
  focus?.focus?.();
}

function clearCall() {
  clearTimeout(assistTimer);
  assistSeq += 1; // an answer still on its way belongs to the last call
  Object.assign(state, { point: null, chain: null, article: null, history: null, assist: null, manualHits: null });
  if (marker) {
    marker.remove();
    marker = null;
  }
  renderTypes("help");
  renderCategories("");
  renderDepartments("");
  renderAll();
}

function applyRights() {
  for (const [mode, button] of Object.entries(buttons)) {
    const allowed = state.rights[mode] !== false;
    button.disabled = !allowed;
    if (!allowed) button.title = t("hotline.not_allowed");
  }
}

function renderAll() {
  renderHistory();
  renderAssist();
  renderChain();
  renderArticleNote();
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  submit("record");
});
buttons.dispatch.addEventListener("click", () => submit("dispatch"));
buttons.answer.addEventListener("click", () => submit("answer"));
form.addEventListener("reset", (ev) => {
  // the browser resets the fields after this event: clear the rest once it has
  setTimeout(clearCall, 0);
  errorBox.hidden = true;
  if (ev.isTrusted) receiptBox.hidden = true; // 清空 by hand; after a call the receipt stays
  form.phone.focus();
});
form.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    submit("record");
  }
});
form.phone.addEventListener("blur", loadHistory);
form.phone.addEventListener("input", () => (receiptBox.hidden = true)); // a new call begins
form.phone.addEventListener("keydown", (ev) => {
  if (ev.key !== "Enter" || ev.ctrlKey || ev.metaKey) return;
  ev.preventDefault();
  form.text.focus(); // the blur loads the caller's appeals
});
form.text.addEventListener("input", assistSoon);
form.answer.addEventListener("input", () => {
  if (state.article && form.answer.value.trim() !== state.article.answer) {
    state.article = null; // the operator's own words now
    renderArticleNote();
  }
});
let categoryTimer;
$("h-category-q").addEventListener("input", (ev) => {
  clearTimeout(categoryTimer);
  const q = ev.target.value.trim();
  categoryTimer = setTimeout(async () => {
    try {
      state.categories = await categories(q || undefined);
      renderCategories();
    } catch (err) {
      flash(err.message, "error");
    }
  }, 200);
});

onLangChange(() => {
  renderTypes();
  renderCategories();
  renderDepartments();
  renderAll();
  applyRights();
});

renderTypes();
renderCategories();
renderDepartments();
renderAll();
try {
  const [rights, found, depts, features] = await Promise.all([
    api("/api/v1/hotline/modes"),
    categories(),
    departments(),
    areaFeatures("street"),
  ]);
  state.rights = rights;
  state.categories = found;
  state.departments = depts;
  renderCategories();
  renderDepartments();
  renderArticles();
  renderSimilar();
  // street level (zoom 15, ~4 m a pixel) at the city's centre, not the whole city (~39 m a pixel)
  const centre = drawAreas(map, { type: "FeatureCollection", features }).getBounds();
  if (centre.isValid() && !state.point) map.setView(centre.getCenter(), STREET_ZOOM - 1, { animate: false });
} catch (err) {
  flash(err.message, "error");
}
applyRights(); // the 记录 button is disabled in the page until its handler is attached
