// Key sites (重点场所) on the city map: a colour and a one-character mark per kind, drawn into
// small canvas images for MapLibre (no sprite or glyph server: the page's own fonts draw the
// mark), and the legend's entries. Kinds not listed here get the "other" mark.

// kind → [colour, mark]; the order is the legend's (insight/keysites/model.py KNOWN_KINDS)
export const KEY_SITE_KINDS = {
  school: ["#2563eb", "学"],
  kindergarten: ["#7c3aed", "幼"],
  hospital: ["#dc2626", "医"],
  elderly_care: ["#db2777", "老"],
  construction: ["#d97706", "工"],
  waterlogging: ["#0891b2", "涝"],
  market: ["#16a34a", "市"],
  gas_station: ["#475569", "油"],
  hazardous: ["#9f1239", "危"],
  other: ["#64748b", "●"],
};

export const keySiteStyle = (kind) => KEY_SITE_KINDS[kind] ?? KEY_SITE_KINDS.other;
export const keySiteIcon = (kind) => `ks-${KEY_SITE_KINDS[kind] ? kind : "other"}`;

const SIZE = 26; // CSS pixels of an icon

function drawIcon(color, mark, ratio) {
  const px = SIZE * ratio;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = px;
  const g = canvas.getContext("2d");
  const r = px * 0.2;
  const inset = ratio * 1.5;
  g.beginPath();
  g.roundRect(inset, inset, px - 2 * inset, px - 2 * inset, r);
  g.fillStyle = color;
  g.fill();
  g.lineWidth = ratio * 1.5;
  g.strokeStyle = "#ffffff";
  g.stroke();
  g.fillStyle = "#ffffff";
  g.font = `bold ${Math.round(px * 0.56)}px "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif`;
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText(mark, px / 2, px / 2 + ratio);
  return g.getImageData(0, 0, px, px);
}

/** Register every kind's icon on the map (after its style loaded). */
export function addKeySiteIcons(map) {
  const ratio = Math.max(1, Math.round(globalThis.devicePixelRatio || 1));
  for (const [kind, [color, mark]] of Object.entries(KEY_SITE_KINDS)) {
    const id = `ks-${kind}`;
    if (!map.hasImage(id)) map.addImage(id, drawIcon(color, mark, ratio), { pixelRatio: ratio });
  }
}

/** The legend's mark of a kind, as an HTML element. */
export function keySiteMark(kind) {
  const [color, mark] = keySiteStyle(kind);
  const el = document.createElement("span");
  el.className = "ks-mark";
  el.style.background = color;
  el.textContent = mark;
  return el;
}


