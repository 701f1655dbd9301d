// 我要反映: type, description, category (or let the system decide), the place (a point on the
// map or from the browser; or, without the map, a street/community from the list or an address
// that names one), photos, phone or anonymous → POST /api/v1/portal/appeals (multipart) → the
// tracking code. The form is usable before the map: the categories (code and name only, cached
// by the browser) and the places are asked for while the words load, and the map library comes
// after them.
import { clear, formatTime, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { call, elder, errorText, startPortal } from "./common.js";

const categoriesAsked = call("/api/v1/portal/categories").catch(() => []);
const placesAsked = call("/api/v1/portal/places").catch(() => []);
await startPortal();
const form = document.getElementById("appeal");
const errorBox = document.getElementById("a-error");
const placeBox = document.getElementById("a-place");
const categorySelect = document.getElementById("a-category");
const areaSelect = document.getElementById("a-area");
let categories = null; // null while loading: the picker says so
let found = [];
let places = [];
let map = null;
let place = null;
let marker = null;

function showError(message, focus) {
  errorBox.textContent = message;
  errorBox.hidden = false;
  if (focus) focus.focus();
}

function renderCategories() {
  if (categories === null) return; // the "loading" option stays
  const keep = categorySelect.value;
  categorySelect.replaceChildren(
    h("option", { value: "", text: t("portal.category_auto") }),
    ...found.map((c) => h("option", { value: c.code, text: c.name })),
  );
  categorySelect.removeAttribute("aria-busy");
  if ([...categorySelect.options].some((o) => o.value === keep)) categorySelect.value = keep;
}

/** The first 60 categories whose name or code holds `q` (all of them are here already). */
function searchCategories(q) {
  const needle = q.toLowerCase();
  found = (categories ?? [])
    .filter((c) => !needle || c.name.toLowerCase().includes(needle) || c.code.toLowerCase().includes(needle))
    .slice(0, 60);
  renderCategories();
}

/** The streets, each with its communities, in the keyboard-operable 所在街道/社区 list. */
function renderAreas() {
  const keep = areaSelect.value;
  const groups = places
    .filter((p) => p.level === "street")
    .map((street) =>
      h("optgroup", { label: street.name },
        h("option", { value: street.code, text: street.name }),
        ...places
          .filter((p) => p.level === "community" && p.street_code === street.code)
          .map((c) => h("option", { value: c.code, text: c.name }))));
  areaSelect.replaceChildren(h("option", { value: "", text: t("portal.area_none") }), ...groups);
  if ([...areaSelect.options].some((o) => o.value === keep)) areaSelect.value = keep;
}

function chosenArea() {
  const option = areaSelect.selectedOptions[0];
  return areaSelect.value && option ? option.textContent : "";
}

function renderPlace() {
  if (!place && chosenArea()) placeBox.textContent = t("portal.area_chosen", { place: chosenArea() });
  else if (!place) placeBox.textContent = t("portal.no_place");
  else if (place.error) clear(placeBox, h("span", { class: "p-error-text", text: place.error }));
  else placeBox.textContent = t("portal.place_chosen", { place: place.names || `${place.lat.toFixed(5)}, ${place.lon.toFixed(5)}` });
}

async function choose(lon, lat) {
  areaSelect.value = ""; // a point on the map replaces a street/community from the list
  form.lon.value = lon.toFixed(6);
  form.lat.value = lat.toFixed(6);
  if (marker) marker.setLatLng([lat, lon]);
  else if (map) marker = map.pickMarker([lat, lon]);
  place = { lon, lat, names: "" };
  renderPlace();
  try {
    const res = await call(`/api/v1/areas/locate?lon=${lon}&lat=${lat}`);
    place.names = (res.chain ?? []).filter((a) => a.level !== "grid").map((a) => a.name).join(" ");
  } catch (err) {
    place = { error: err.code === "outside_city" ? t("portal.err.outside_city") : errorText(err) };
    form.lon.value = "";
    form.lat.value = "";
  }
  renderPlace();
}

document.getElementById("a-locate").addEventListener("click", () => {
  if (!navigator.geolocation) {
    place = { error: t("portal.no_geolocation") };
    renderPlace();
    return;
  }
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      map?.view.setView([pos.coords.latitude, pos.coords.longitude], 16);
      choose(pos.coords.longitude, pos.coords.latitude);
    },
    () => {
      place = { error: t("portal.no_geolocation") };
      renderPlace();
    },
    { timeout: 8000 },
  );
});

areaSelect.addEventListener("change", () => {
  // a street/community from the list replaces a point on the map
  form.lon.value = "";
  form.lat.value = "";
  if (marker) {
    marker.remove();
    marker = null;
  }
  place = null;
  renderPlace();
});

let searchTimer;
document.getElementById("a-category-q").addEventListener("input", (ev) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => searchCategories(ev.target.value.trim()), 200);
});

const anonymous = document.getElementById("a-anonymous");
anonymous.addEventListener("change", () => {
  form.phone.disabled = anonymous.checked;
});

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  errorBox.hidden = true;
  const description = form.description.value.trim();
  if (description.length < 5) return showError(t("portal.err.description_required"), form.description);
  const pinned = form.lon.value && form.lat.value;
  const address = elder() ? "" : form.address.value.trim();
  if (!pinned && !areaSelect.value && !address) return showError(t("portal.err.location_required"), areaSelect);
  const phone = form.phone.value.replace(/[\s-]/g, "");
  if (!anonymous.checked && !/^1[3-9]\d{9}$/.test(phone)) return showError(t("portal.err.invalid_phone"), form.phone);
  const files = [...(form.photos.files ?? [])];
  if (files.length > 3) return showError(t("portal.err.too_many_photos"), form.photos);
  const body = new FormData();
  body.set("appeal_type", form.appeal_type.value);
  body.set("description", description);
  body.set("category_code", elder() ? "" : categorySelect.value);
  if (pinned) {
    body.set("lon", form.lon.value);
    body.set("lat", form.lat.value);
  } else if (areaSelect.value) body.set("area_code", areaSelect.value);
  if (address) body.set("address", address);
  if (anonymous.checked) body.set("anonymous", "true");
  else body.set("phone", phone);
  if (!elder()) for (const file of files) body.append("photos", file, file.name);
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    const receipt = await call("/api/v1/portal/appeals", { method: "POST", form: body });
    showReceipt(receipt);
  } catch (err) {
    const field = { address_not_placed: form.address, unknown_area: areaSelect }[err.code];
    showError(errorText(err), field);
  } finally {
    submit.disabled = false;
  }
});
// disabled in the page until this handler is attached: a native submission would put the
// citizen's phone number in the address bar and lose the appeal
form.querySelector("button[type=submit]").disabled = false;

function showReceipt(receipt) {
  form.hidden = true;
  document.getElementById("r-code").textContent = receipt.tracking_code;
  document.getElementById("r-expected").textContent = receipt.expected_by
    ? t("portal.expected_by", { time: formatTime(receipt.expected_by) })
    : "";
  document.getElementById("r-place").textContent = receipt.place
    ? t(receipt.approximate ? "portal.receipt_place_approximate" : "portal.receipt_place", { place: receipt.place })
    : "";
  document.getElementById("r-track").href = receipt.track_url;
  const box = document.getElementById("receipt");
  box.hidden = false;
  box.focus();
}

onLangChange(() => {
  renderCategories();
  renderAreas();
  renderPlace();
});
renderPlace();
const [categoryList, placeList] = await Promise.all([categoriesAsked, placesAsked]);
categories = Array.isArray(categoryList) ? categoryList : [];
places = Array.isArray(placeList) ? placeList : []; // without them the map and the address still give the place
renderAreas();
searchCategories(document.getElementById("a-category-q").value.trim());

/** The map, once the form is usable: the library, the street outlines, then clicks. */
async function loadMap() {
  const box = document.getElementById("a-map");
  const [lib, streets] = await Promise.all([
    import("../map.js"),
    call("/api/v1/areas?level=street").catch(() => null),
  ]);
  const view = lib.createMap(box);
  map = { view, pickMarker: (latlng) => lib.pickMarker(view, latlng) };
  view.on("click", (ev) => choose(ev.latlng.lng, ev.latlng.lat));
  if (form.lon.value && form.lat.value) marker = map.pickMarker([Number(form.lat.value), Number(form.lon.value)]);
  if (streets) {
    const layer = lib.drawAreas(view, { type: "FeatureCollection", features: streets.features ?? [] });
    lib.fitTo(view, layer); // without the outlines the map still takes clicks
  }
  box.classList.remove("p-loading");
  box.removeAttribute("aria-busy");
}
loadMap().catch(() => {
  const box = document.getElementById("a-map");
  box.classList.remove("p-loading");
  box.removeAttribute("aria-busy");
});
