// 案件地图: area polygons of one level (street / community / grid) with cases coloured by SLA.
import { api } from "../api.js";
import { clear, flash, h, slaChip, statusChip } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { caseMarker, createMap, drawAreas, fitTo } from "../map.js";
import { areaFeatures } from "../options.js";
import { startPage } from "../shell.js";

const OPEN = ["reported", "registered", "dispatched", "in_progress", "suspended", "handled"];
await startPage();
const map = createMap(document.getElementById("city-map"));
const levelSelect = document.getElementById("m-level");
const scopeSelect = document.getElementById("m-status");
let areaLayer = null;
let markers = [];
let cases = [];

function popup(c) {
  return h("div", { class: "popup" },
    h("a", { href: `/cases/${c.id}`, text: c.number }),
    h("div", { text: c.title || c.category_name || "" }),
    h("div", {}, statusChip(c.status), " ", slaChip(c)));
}

// a change of level or scope while a request is out: only the latest answer is drawn
let levelSeq = 0;
let casesSeq = 0;

async function drawLevel() {
  const seq = ++levelSeq;
  const features = await areaFeatures(levelSelect.value);
  if (seq !== levelSeq) return;
  if (areaLayer) areaLayer.remove();
  areaLayer = drawAreas(map, { type: "FeatureCollection", features });
  areaLayer.bringToBack();
  fitTo(map, areaLayer);
}

async function loadCases() {
  const query = { size: 200, page: 1 };
  if (scopeSelect.value === "open") query.status = OPEN;
  const seq = ++casesSeq;
  const data = await api("/api/v1/cases", { query });
  if (seq !== casesSeq) return;
  cases = (data.items ?? []).filter((c) => c.lon != null && c.lat != null);
  for (const m of markers) m.remove();
  markers = cases.map((c) => caseMarker(map, c, () => popup(c)));
  renderList(data.total ?? cases.length);
}

function renderList(total = cases.length) {
  document.getElementById("map-count").textContent = t("map.count", { shown: cases.length, total });
  clear(document.getElementById("map-list"), cases.slice(0, 50).map((c, i) =>
    h("li", {},
      h("button", {
        type: "button", class: "linklike",
        onclick: () => { map.setView([c.lat, c.lon], Math.max(map.getZoom(), 16)); markers[i].openPopup(); },
        text: c.number,
      }),
      " ", slaChip(c))));
}

levelSelect.addEventListener("change", () => drawLevel().catch((err) => flash(err.message, "error")));
scopeSelect.addEventListener("change", () => loadCases().catch((err) => flash(err.message, "error")));
onLangChange(() => renderList());
await Promise.all([drawLevel(), loadCases()]).catch((err) => flash(err.message, "error"));
