// 新建案件: category search, a map click picks the point and shows its area chain, then POST.
import { api } from "../api.js";
import { clear, flash, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { createMap, drawAreas, fitTo, pickMarker } from "../map.js";
import { areaFeatures, categories, fillSelect, sourcePairs } from "../options.js";
import { hasRole, startPage } from "../shell.js";

const user = await startPage();
const form = document.getElementById("new-case");
const chainBox = document.getElementById("n-chain");
const errorBox = document.getElementById("n-error");
const defaultSource = hasRole(user, "inspector") && !hasRole(user, "operator") ? "inspector" : "hotline";
let found = [];
let chain = null;
let marker = null;

function renderSources() {
  fillSelect(form.source, sourcePairs(), { value: form.source.value || defaultSource });
}

function renderCategories() {
  const keep = form.category_code.value;
  fillSelect(form.category_code, found.map((c) => [c.code, `${c.code} ${c.name}`]), { value: keep });
  if (!form.category_code.value && found.length === 1) form.category_code.value = found[0].code;
}

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

let searchTimer;
document.getElementById("n-category-q").addEventListener("input", (ev) => {
  clearTimeout(searchTimer);
  const q = ev.target.value.trim();
  searchTimer = setTimeout(async () => {
    try {
      found = await categories(q || undefined);
      renderCategories();
    } catch (err) {
      flash(err.message, "error");
    }
  }, 200);
});

async function locate(lon, lat) {
  form.lon.value = lon.toFixed(6);
  form.lat.value = lat.toFixed(6);
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

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  errorBox.hidden = true;
  const missing = [["category_code", "case.category"], ["description", "case.description"], ["lon", "case.lon"], ["lat", "case.lat"]]
    .find(([name]) => !form.elements[name].value.trim());
  if (missing) {
    errorBox.textContent = t("form.required", { field: t(missing[1]) });
    errorBox.hidden = false;
    form.elements[missing[0]].focus();
    return;
  }
  const body = {
    category_code: form.category_code.value,
    source: form.source.value,
    title: form.title.value.trim() || undefined,
    description: form.description.value.trim(),
    address: form.address.value.trim() || undefined,
    reporter_name: form.reporter_name.value.trim() || undefined,
    reporter_phone: form.reporter_phone.value.trim() || undefined,
    lon: Number(form.lon.value),
    lat: Number(form.lat.value),
  };
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    const created = await api("/api/v1/cases", { method: "POST", body });
    location.assign(`/cases/${created.id}`);
  } catch (err) {
    errorBox.textContent = err.message;
    errorBox.hidden = false;
    submit.disabled = false;
  }
});
form.querySelector("button[type=submit]").disabled = false; // disabled in the page until now

onLangChange(() => {
  renderSources();
  renderChain();
});
renderSources();
renderChain();
try {
  const [features, initial] = await Promise.all([areaFeatures("community"), categories()]);
  found = initial;
  renderCategories();
  const layer = drawAreas(map, { type: "FeatureCollection", features });
  fitTo(map, layer);
} catch (err) {
  flash(err.message, "error");
}
