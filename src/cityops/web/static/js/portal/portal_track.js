// 查询进度: the case behind a tracking code, its steps in plain words, and the rating form once
// it is closed. Every text goes in through textContent.
import { clear, formatTime, h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { call, errorText, startPortal } from "./common.js";

await startPortal();
const codeInput = document.getElementById("t-code");
const errorBox = document.getElementById("t-error");
const caseBox = document.getElementById("t-case");
const rateBox = document.getElementById("t-rate");
let current = null;

document.getElementById("track-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const code = codeInput.value.trim();
  if (!code) {
    errorBox.textContent = t("portal.err.code_required");
    errorBox.hidden = false;
    codeInput.focus();
    return;
  }
  location.assign(`/portal/track/${encodeURIComponent(code)}`);
});

function fact(label, value) {
  return value ? [h("dt", { text: label }), h("dd", { text: value })] : [];
}

function stepText(step) {
  const base = t(`portal.step.${step.step}`, { unit: step.unit ?? t("portal.the_unit") });
  if (step.step === "rated" || step.step === "reopened") {
    return step.text ? `${base}（${t(`satisfaction.${step.text}`)}）` : base;
  }
  if (step.step === "merged" && step.text) return `${base}（${step.text}）`;
  return base;
}

function render() {
  const c = current;
  if (!c) return;
  document.getElementById("t-heading").textContent = `${t(`appeal_type.${c.appeal_type}`)} · ${c.category_name}`;
  const phase = document.getElementById("t-phase");
  phase.textContent = t(`portal.phase.${c.phase}`);
  phase.className = `p-phase p-phase-${c.phase}`;
  clear(
    document.getElementById("t-facts"),
    fact(t("portal.fact_code"), c.tracking_code),
    fact(t("portal.fact_reported"), formatTime(c.reported_at)),
    fact(t("portal.fact_unit"), c.unit),
    fact(t("portal.fact_expected"), c.expected_by ? formatTime(c.expected_by) : null),
    fact(
      t("portal.fact_where"),
      [c.street, c.address].filter(Boolean).join(" ") + (c.approximate ? t("portal.approximate") : ""),
    ),
    fact(t("portal.fact_rating"), c.satisfaction ? t(`satisfaction.${c.satisfaction}`) : null),
  );
  document.getElementById("t-description").textContent = c.description;
  clear(
    document.getElementById("t-photos"),
    c.photos.map((url, i) => h("a", { href: url, target: "_blank", rel: "noopener" },
      h("img", { src: url, alt: t("portal.photo_alt", { n: i + 1 }), loading: "lazy" }))),
  );
  const steps = [...c.timeline].reverse();
  clear(
    document.getElementById("t-timeline"),
    steps.map((s, i) => h("li", { class: i === 0 ? "p-step p-step-now" : "p-step" },
      h("span", { class: "p-step-time", text: formatTime(s.at) }),
      h("span", { class: "p-step-text", text: stepText(s) }),
      s.text && (s.step === "result" || s.step === "answered") ? h("span", { class: "p-step-note", text: s.text }) : null)),
  );
  caseBox.hidden = false;
  rateBox.hidden = !c.can_rate;
}

async function load(code) {
  errorBox.hidden = true;
  try {
    current = await call(`/api/v1/portal/track/${encodeURIComponent(code)}`);
    render();
  } catch (err) {
    caseBox.hidden = true;
    rateBox.hidden = true;
    errorBox.textContent = errorText(err);
    errorBox.hidden = false;
  }
}

document.getElementById("rate-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const box = document.getElementById("rate-error");
  box.hidden = true;
  const satisfaction = form.satisfaction.value;
  if (!satisfaction) {
    box.textContent = t("portal.err.satisfaction_required");
    box.hidden = false;
    form.querySelector("input[name=satisfaction]").focus();
    return;
  }
  try {
    const res = await call(`/api/v1/portal/track/${encodeURIComponent(current.tracking_code)}/rating`, {
      method: "POST",
      json: { satisfaction, comment: form.comment.value.trim() },
    });
    current = res.case;
    render();
    errorBox.textContent = res.reopened ? t("portal.rated_reopened") : t("portal.rated_thanks");
    errorBox.hidden = false;
    errorBox.className = "p-ok";
  } catch (err) {
    box.textContent = errorText(err);
    box.hidden = false;
  }
});
document.querySelector("#rate-form button[type=submit]").disabled = false; // disabled until now

onLangChange(render);
const initial = codeInput.value.trim();
if (initial) await load(initial);
document.getElementById("t-loading")?.remove(); // the placeholder shown while the case loads
