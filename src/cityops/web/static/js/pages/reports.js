// 智能报表: the archive of generated reports (newest first) with a download per file, and, for
// leaders and administrators, a form that builds a report of a period in a format now.
import { api, download } from "../api.js";
import { clear, flash, formatTime, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { hasRole, startPage } from "../shell.js";

const user = await startPage();
const root = document.getElementById("reports");
const form = document.getElementById("report-build");
const body = document.querySelector("#report-table tbody");
const empty = document.getElementById("report-empty");
let rows = [];

function size(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function render() {
  clear(
    body,
    ...rows.map((r) =>
      h(
        "tr",
        {},
        h("td", {}, r.title),
        h("td", {}, t(`reports.kind.${r.kind}`)),
        h("td", {}, r.period),
        h("td", {}, r.format.toUpperCase()),
        h("td", {}, size(r.size)),
        h("td", {}, formatTime(r.created_at)),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              class: "btn btn-ghost",
              onclick: () =>
                download(r.file, undefined, `report-${r.period}.${r.format}`).catch((e) =>
                  flash(e.message, "error"),
                ),
            },
            t("reports.download"),
          ),
        ),
      ),
    ),
  );
  empty.hidden = rows.length > 0;
}

async function load() {
  rows = await api("/api/v1/reports");
  render();
}

if (root) {
  if (hasRole(user, ...root.dataset.builders.split(" "))) {
    document.getElementById("report-build-card").hidden = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        await api("/api/v1/reports", {
          method: "POST",
          body: { period: form.period.value.trim(), format: form.format.value },
        });
        flash(t("reports.built"), "ok");
        await load();
      } catch (e) {
        flash(e.message, "error");
      } finally {
        button.disabled = false;
      }
    });
  }
  onLangChange(render);
  await load();
}
