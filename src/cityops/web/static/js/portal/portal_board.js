// 公开看板: this month's appeals, the on-time and satisfaction rates, by department and street.
import { clear, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { call, errorText, percent, startPortal } from "./common.js";

await startPortal();
let board = null;

function table(el, rows) {
  const head = h("tr", {},
    ["portal.col_name", "portal.col_reported", "portal.col_closed", "portal.col_on_time", "portal.col_satisfaction"]
      .map((key) => h("th", { scope: "col", text: t(key) })));
  const body = rows.length
    ? rows.map((r) => h("tr", {},
      h("th", { scope: "row", text: r.name || r.code }),
      h("td", { text: String(r.reported) }),
      h("td", { text: String(r.closed) }),
      h("td", { text: percent(r.on_time_rate) }),
      h("td", { text: percent(r.satisfaction_rate) })))
    : [h("tr", {}, h("td", { colspan: "5", class: "p-empty", text: t("portal.board_empty") }))];
  clear(el, h("thead", {}, head), h("tbody", {}, body));
}

function tile(label, value) {
  return h("div", { class: "p-tile" }, h("span", { class: "p-tile-value", text: value }), h("span", { class: "p-tile-label", text: label }));
}

function render() {
  if (!board) return;
  document.getElementById("b-month").textContent = t("portal.board_month", { month: board.month });
  clear(
    document.getElementById("b-tiles"),
    tile(t("portal.tile_reported"), String(board.reported)),
    tile(t("portal.tile_closed"), String(board.closed)),
    tile(t("portal.tile_on_time"), percent(board.on_time_rate)),
    tile(t("portal.tile_satisfaction"), percent(board.satisfaction_rate)),
  );
  table(document.getElementById("b-dept"), board.by_department);
  table(document.getElementById("b-street"), board.by_street);
}

onLangChange(render);
try {
  board = await call("/api/v1/portal/board");
  render();
} catch (err) {
  const box = document.getElementById("b-error");
  box.textContent = errorText(err);
  box.hidden = false;
}
