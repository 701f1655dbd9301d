// 新建案件: category search (a parent category finds its children), the place by a map click, an
// address search over the city's own areas or the device's location, photos, then POST. Each
// problem is shown at its field in the page's language — the form's own checks and the server's
// 422 alike — and goes away as soon as the field is put right.
import { api } from "../api.js";
import { clear, flash, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { createMap, drawAreas, fitTo, pickMarker } from "../map.js";
import { areaFeatures, categories, fillSelect, sourcePairs } from "../options.js";
import { photoPicker } from "../photos.js";
import { placeSearch } from "../place_search.js";
import { hasRole, startPage } from "../shell.js";

const user = await startPage();
const form = document.getElementById("new-case");
const chainBox = document.getElementById("n-chain");
const errorBox = document.getElementById("n-error");
const defaultSource = hasRole(user, "inspector") && !hasRole(user, "operator") ? "inspector" : "hotline";
const photos = photoPicker({ id: "n-photo-file" });
document.getElementById("n-photos").replaceWith(photos);
let all = [];  // every active category, all levels
let found = [];
let chain = null;
let marker = null;

// --- the fields' own messages ------------------------------------------------------------

// The form's required fields, in page order, with their label keys.
const REQUIRED = [
  ["category_code", "case.category"],
  ["title", "case.title"],
  ["description", "case.description"],
  ["lon", "case.lon"],
  ["lat", "case.lat"],
];
const LABELS = Object.fromEntries([...REQUIRED,
  ["address", "case.address"], ["reporter_name", "case.reporter_name"],
  ["reporter_phone", "case.reporter_phone"], ["photos", "photo.photos"], ["source", "case.source"]]);
const problems = new Map();  // field name → message shown

function fieldBox(name) {
  return form.querySelector(`[data-field="${name}"]`);
}

function showProblem(name, message) {
  const box = fieldBox(name);
  if (!box) return false;
  problems.set(name, message);
  const id = `n-${name}-error`;
  let p = box.querySelector(".field-error");
  if (!p) {
    p = h("p", { class: "field-error", id });
    box.append(p);
  }
  p.textContent = message;
  const control = form.elements[name];
  if (control?.setAttribute) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), id]
      .filter((v) => v && !v.includes(id)).concat(id).join(" "));
  }
  return true;
}

function clearProblem(name) {
  if (!problems.delete(name)) return;
  fieldBox(name)?.querySelector(".field-error")?.remove();
  const control = form.elements[name];
  if (control?.removeAttribute) {
    control.removeAttribute("aria-invalid");
    const rest = (control.getAttribute("aria-describedby") ?? "").split(" ").filter((v) => v && v !== `n-${name}-error`);
    if (rest.length) control.setAttribute("aria-describedby", rest.join(" "));
    else control.removeAttribute("aria-describedby");
  }
  if (!errorBox.hidden) summarise();  // the count follows the fields put right
}

/** The message for an empty required field or a bad point, in the page's language. */
function checkField(name) {
  const value = form.elements[name]?.value.trim() ?? "";
  if (REQUIRED.some(([n]) => n === name) && !value) return t("form.required", { field: t(LABELS[name]) });
  if ((name === "lon" || name === "lat") && value) {
    const n = Number(value);
    const bound = name === "lon" ? 180 : 90;
    if (!Number.isFinite(n) || Math.abs(n) > bound) return t("form.not_a_number", { field: t(LABELS[name]) });
  }
  return null;
}

for (const name of Object.keys(LABELS)) {
  const control = form.elements[name];
  if (!control?.addEventListener) continue;
  const recheck = () => {
    if (!problems.has(name)) return;
    const problem = checkField(name);
    if (problem) showProblem(name, problem);
    else clearProblem(name);
  };
  control.addEventListener("input", recheck);
  control.addEventListener("change", recheck);
}

function summarise() {
  errorBox.textContent = t("form.fix_fields", { n: problems.size });
  errorBox.hidden = !problems.size;
}

/** Where a server refusal belongs: a request's field errors, or a domain error's field. */
const CODE_FIELDS = [
  [/phone/, "reporter_phone"], [/categor/, "category_code"], [/photo/, "photos"],
  [/title/, "title"], [/description/, "description"], [/outside|point|coordinate|location|area/, "lon"],
];

function placeServerError(err) {
  const placed = [];
  if (err.code === "invalid_request" && Array.isArray(err.details?.problems)) {
    for (const p of err.details.problems) {
      const name = String(p.field ?? "").split(".")[0];
      if (!LABELS[name]) continue;
      const label = t(LABELS[name]);
      const message = /required|missing/i.test(p.problem ?? "")
        ? t("form.required", { field: label })
        : t("form.invalid_field", { field: label });
      if (showProblem(name, message)) placed.push(name);
    }
  } else {
    const name = err.details?.field && LABELS[err.details.field]
      ? err.details.field
      : CODE_FIELDS.find(([re]) => re.test(err.code ?? ""))?.[1];
    if (name && showProblem(name, err.message)) placed.push(name);
  }
  return placed;
}

// --- categories ---------------------------------------------------------------------------

function renderSources() {
  fillSelect(form.source, sourcePairs(), { value: form.source.value || defaultSource });
}

/** The leaves under each category, by code. */
let leavesUnder = new Map();
function indexCategories() {
  const children = new Map();
  for (const c of all) {
    if (!c.parent_code) continue;
    if (!children.has(c.parent_code)) children.set(c.parent_code, []);
    children.get(c.parent_code).push(c);
  }
  leavesUnder = new Map();
  const walk = (c) => {
    if (leavesUnder.has(c.code)) return leavesUnder.get(c.code);
    const kids = children.get(c.code) ?? [];
    const leaves = kids.length ? kids.flatMap(walk) : [c];
    leavesUnder.set(c.code, leaves);
    return leaves;
  };
  all.forEach(walk);
}

/** Leaves whose name or code matches, and every leaf under a matching parent (大类/小类). */
function searchCategories(q) {
  const query = q.trim().toLowerCase();
  const byCode = new Map(all.map((c) => [c.code, c]));
  if (!query) return all.filter((c) => c.leaf);
  const out = new Map();
  for (const c of all) {
    if (c.name.toLowerCase().includes(query) || c.code.toLowerCase().startsWith(query)) {
      for (const leaf of leavesUnder.get(c.code) ?? [c]) out.set(leaf.code, leaf);
    }
  }
  return [...out.values()].filter((c) => byCode.has(c.code) && c.leaf);
}

function renderCategories() {
  const keep = form.category_code.value;
  const byCode = new Map(all.map((c) => [c.code, c]));
  const groups = new Map();
  for (const c of found) {
    const parent = byCode.get(c.parent_code);
    const label = parent ? `${parent.code} ${parent.name}` : "";
    if (!groups.has(label)) groups.set(label, []);
    groups.get(label).push(c);
  }
  const option = (c) => h("option", { value: c.code, text: `${c.code} ${c.name}` });
  form.category_code.replaceChildren(...[...groups].map(([label, list]) => (label
    ? h("optgroup", { label }, list.map(option))
    : list.map(option))).flat());
  if ([...form.category_code.options].some((o) => o.value === keep)) form.category_code.value = keep;
  if (!form.category_code.value && found.length === 1) form.category_code.value = found[0].code;
  const none = document.getElementById("n-category-none");
  none.hidden = found.length > 0;
}
document.getElementById("n-category-q").after(
  h("p", { id: "n-category-none", class: "help", hidden: true, "data-i18n": "new.category_none", text: t("new.category_none") }));

let searchTimer;
document.getElementById("n-category-q").addEventListener("input", (ev) => {
  clearTimeout(searchTimer);
  const q = ev.target.value;
  searchTimer = setTimeout(() => {
    found = searchCategories(q);
    renderCategories();
  }, 120);
});

// --- the place ----------------------------------------------------------------------------

function renderChain() {
  if (!chain) {
    chainBox.textContent = t("new.no_point");
    return;
  }
  if (chain.error) {
    clear(chainBox, h("span", { class: "error", text: chain.error }));
    return;
  }
  clear(chainBox, chain.areas.map((a, i) => [
    i ? h("span", { class: "sep", "aria-hidden": "true", text: " › " }) : null,
    h("span", { class: "chain-part", title: a.code },
      h("span", { class: "chain-level", text: t(`level.${a.level}`) }), " ", a.name),
  ]));
}

async function locate(lon, lat) {
  form.lon.value = lon.toFixed(6);
  form.lat.value = lat.toFixed(6);
  clearProblem("lon");
  clearProblem("lat");
  if (marker) marker.setLatLng([lat, lon]);
  else marker = pickMarker(map, [lat, lon]);
  try {
    const res = await api("/api/v1/areas/locate", { query: { lon, lat } });
    chain = { areas: res.chain ?? [] };
  } catch (err) {
    chain = { error: err.message };
  }
  renderChain();
}

const map = createMap(document.getElementById("new-map"));
map.on("click", (ev) => locate(ev.latlng.lng, ev.latlng.lat));
for (const input of [form.lon, form.lat]) {
  input.addEventListener("change", () => {
    const lon = Number(form.lon.value);
    const lat = Number(form.lat.value);
    if (form.lon.value && form.lat.value && Number.isFinite(lon) && Number.isFinite(lat)) locate(lon, lat);
  });
}
placeSearch({
  input: document.getElementById("n-place-q"),
  hits: document.getElementById("n-place-hits"),
  locateButton: document.getElementById("n-locate-me"),
  map,
  onPlace: (place) => {
    locate(place.lon, place.lat);
    if (place.name && !form.address.value.trim()) form.address.value = place.name;
  },
});

// --- sending ------------------------------------------------------------------------------

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  errorBox.hidden = true;
  for (const [name] of REQUIRED) {
    const problem = checkField(name);
    if (problem) showProblem(name, problem);
    else clearProblem(name);
  }
  if (problems.size) {
    summarise();
    form.elements[[...REQUIRED.map(([n]) => n)].find((n) => problems.has(n)) ?? [...problems.keys()][0]]?.focus();
    return;
  }
  if (photos.busy()) {
    errorBox.textContent = t("photo.wait");
    errorBox.hidden = false;
    return;
  }
  const body = {
    category_code: form.category_code.value,
    source: form.source.value,
    title: form.title.value.trim(),
    description: form.description.value.trim(),
    address: form.address.value.trim() || undefined,
    reporter_name: form.reporter_name.value.trim() || undefined,
    reporter_phone: form.reporter_phone.value.trim() || undefined,
    lon: Number(form.lon.value),
    lat: Number(form.lat.value),
    photos: photos.refs(),
  };
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    const created = await api("/api/v1/cases", { method: "POST", body });
    location.assign(`/cases/${created.id}`);
  } catch (err) {
    const placed = placeServerError(err);
    if (placed.length) {
      summarise();
      form.elements[placed[0]]?.focus?.();
    } else {
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    }
    submit.disabled = false;
  }
});
form.querySelector("button[type=submit]").disabled = false; // disabled in the page until now

onLangChange(() => {
  renderSources();
  renderChain();
  for (const name of [...problems.keys()]) {
    const problem = checkField(name);
    if (problem) showProblem(name, problem);
  }
  if (problems.size) summarise();
});
renderSources();
renderChain();
try {
  const [features, every] = await Promise.all([areaFeatures("community"), categories(undefined, { leafOnly: false })]);
  all = every.filter((c) => c.active !== false);
  indexCategories();
  found = searchCategories(document.getElementById("n-category-q").value);
  renderCategories();
  const layer = drawAreas(map, { type: "FeatureCollection", features });
  fitTo(map, layer);
} catch (err) {
  flash(err.message, "error");
}
