// 地址搜索 and 使用我的位置 for a map that picks a point. No outside geocoder is reachable: the
// search asks GET /api/v1/areas/search, the city's own streets, communities and grids (by an
// address that names one, or part of a name or code), and a hit stands for its area (a point
// inside it; the spot is then clicked on the map). The location comes from the browser.
import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

export const STREET_ZOOM = 16;

/** Wire a search box, its hit list and a 使用我的位置 button to a Leaflet map; `onPlace` gets
 * {lon, lat, name?, code?, approximate} for a chosen hit or the device's position. `keepText`:
 * the box is the form's address, which a chosen hit does not overwrite. */
export function placeSearch({ input, hits, locateButton, map, onPlace, keepText = false }) {
  let timer;
  let asked = 0;
  const status = h("li", { class: "help", role: "status" });

  const choose = (hit) => {
    hits.replaceChildren();
    if (!keepText) input.value = hit.name;
    map.setView([hit.lat, hit.lon], hit.level === "street" ? STREET_ZOOM - 1 : STREET_ZOOM, { animate: false });
    onPlace({ lon: hit.lon, lat: hit.lat, name: hit.name, code: hit.code, approximate: true });
  };

  const search = async (q) => {
    const mine = ++asked;
    if (!q) {
      hits.replaceChildren();
      return;
    }
    let found;
    try {
      found = await api("/api/v1/areas/search", { query: { q, limit: 8 } });
    } catch (err) {
      if (mine === asked) hits.replaceChildren(h("li", { class: "error", text: err.message }));
      return;
    }
    if (mine !== asked) return;  // a later search answered first
    if (!found.length) {
      status.textContent = t("place.none");
      hits.replaceChildren(status);
      return;
    }
    hits.replaceChildren(...found.map((hit) => h("li", {},
      h("button", { type: "button", class: "place-hit", "data-code": hit.code, onclick: () => choose(hit) },
        h("span", { class: "chain-level", text: t(`level.${hit.level}`) }), " ", hit.name,
        h("span", { class: "muted small", text: ` ${hit.chain.slice(0, -1).map((a) => a.name).join(" › ")}` })))));
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value.trim()), 250);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();  // never submits the form around it
      clearTimeout(timer);
      const first = hits.querySelector(".place-hit");
      if (first) first.click();
      else search(input.value.trim());
    } else if (ev.key === "ArrowDown") {
      hits.querySelector(".place-hit")?.focus();
      ev.preventDefault();
    }
  });
  hits.addEventListener("keydown", (ev) => {
    if (!["ArrowDown", "ArrowUp"].includes(ev.key)) return;
    const all = [...hits.querySelectorAll(".place-hit")];
    const at = all.indexOf(document.activeElement);
    ev.preventDefault();
    if (ev.key === "ArrowUp" && at <= 0) input.focus();
    else all[Math.min(all.length - 1, at + (ev.key === "ArrowDown" ? 1 : -1))]?.focus();
  });

  if (!locateButton) return;
  if (!("geolocation" in navigator)) {
    locateButton.hidden = true;
    return;
  }
  locateButton.addEventListener("click", () => {
    locateButton.disabled = true;
    status.textContent = t("place.locating");
    hits.replaceChildren(status);
    navigator.geolocation.getCurrentPosition((pos) => {
      locateButton.disabled = false;
      hits.replaceChildren();
      const { longitude: lon, latitude: lat } = pos.coords;
      map.setView([lat, lon], STREET_ZOOM + 1, { animate: false });
      onPlace({ lon, lat, approximate: false });
    }, (err) => {
      locateButton.disabled = false;
      hits.replaceChildren(h("li", { class: "error", role: "alert",
        text: t(err.code === 1 ? "place.denied" : "place.unavailable") }));
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}
