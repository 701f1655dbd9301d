// Photos of a case: thumbnails that open a viewer (Esc closes, ←/→ and a swipe go to the next),
// and the upload control of the forms (POST /api/v1/media/photos, one request a photo; the
// camera on a phone) that keeps the references the case's body takes. Only the platform's own
// stored photos (kernel/media.py: /media/yyyy/mm/<name>.jpg|png|webp) are shown as pictures.
import { upload } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

export const STORED_PHOTO = /^\/media\/\d{4}\/\d{2}\/[A-Za-z0-9_-]{16,64}\.(jpg|png|webp)$/;
export const isPhoto = (ref) => typeof ref === "string" && STORED_PHOTO.test(ref);

/** A row of thumbnails (lazy-loaded); a click opens the viewer on that photo. */
export function photoStrip(refs, { label = "" } = {}) {
  const photos = refs.filter(isPhoto);
  if (!photos.length) return null;
  return h("ul", { class: "plain photo-strip", "aria-label": label || t("photo.photos") },
    photos.map((ref, i) => h("li", {},
      h("button", {
        type: "button",
        class: "photo-thumb",
        "data-photo": ref,
        "aria-label": t("photo.open", { n: i + 1, total: photos.length }),
        onclick: () => openViewer(photos, i),
      }, h("img", { src: ref, alt: "", loading: "lazy", decoding: "async", width: 96, height: 72 })))));
}

/** The viewer: one photo at a time over the page, with its number, previous/next and close. */
export function openViewer(photos, start = 0) {
  const opener = document.activeElement;
  let index = start;
  const img = h("img", { class: "viewer-img", alt: "" });
  const count = h("span", { class: "viewer-count", "aria-live": "polite" });
  const link = h("a", { class: "btn btn-ghost", target: "_blank", rel: "noopener", text: t("photo.original") });
  const prev = h("button", { type: "button", class: "btn viewer-nav viewer-prev", "aria-label": t("photo.prev"), text: "‹" });
  const next = h("button", { type: "button", class: "btn viewer-nav viewer-next", "aria-label": t("photo.next"), text: "›" });
  const close = h("button", { type: "button", class: "btn viewer-close", "aria-label": t("photo.close"), text: "×" });
  const dialog = h("div", { class: "viewer", role: "dialog", "aria-modal": "true", "aria-label": t("photo.viewer") },
    h("div", { class: "viewer-bar" }, count, link, close),
    h("div", { class: "viewer-stage" }, prev, img, next));
  const show = (i) => {
    index = (i + photos.length) % photos.length;
    img.src = photos[index];
    link.href = photos[index];
    count.textContent = t("photo.count", { n: index + 1, total: photos.length });
    prev.hidden = next.hidden = photos.length < 2;
  };
  const shut = () => {
    document.removeEventListener("keydown", onKey, true);
    dialog.remove();
    document.body.classList.remove("viewer-open");
    if (opener instanceof HTMLElement) opener.focus();
  };
  const onKey = (ev) => {
    if (ev.key === "Escape") { ev.preventDefault(); shut(); }
    else if (ev.key === "ArrowRight") { ev.preventDefault(); show(index + 1); }
    else if (ev.key === "ArrowLeft") { ev.preventDefault(); show(index - 1); }
    else if (ev.key === "Tab") {  // keep the focus inside the viewer
      const stops = [...dialog.querySelectorAll("button:not([hidden]), a[href]")];
      const at = stops.indexOf(document.activeElement);
      ev.preventDefault();
      stops[(at + (ev.shiftKey ? -1 : 1) + stops.length) % stops.length]?.focus();
    }
  };
  prev.addEventListener("click", () => show(index - 1));
  next.addEventListener("click", () => show(index + 1));
  close.addEventListener("click", shut);
  dialog.addEventListener("click", (ev) => { if (ev.target === dialog || ev.target.classList.contains("viewer-stage")) shut(); });
  let startX = null;
  img.addEventListener("pointerdown", (ev) => { startX = ev.clientX; });
  img.addEventListener("pointerup", (ev) => {
    if (startX === null) return;
    const dx = ev.clientX - startX;
    startX = null;
    if (Math.abs(dx) > 40) show(index + (dx < 0 ? 1 : -1));
  });
  document.addEventListener("keydown", onKey, true);
  document.body.append(dialog);
  document.body.classList.add("viewer-open");
  show(start);
  close.focus();
  return dialog;
}

/** The upload control of a form: choose or take photos, each sent at once; thumbnails of what
 * is attached, each with a remove button. `.refs()` gives the stored references. */
export function photoPicker({ id, max = 9, label = t("photo.attach") } = {}) {
  const refs = [];
  const input = h("input", {
    id, type: "file", accept: "image/*", capture: "environment", multiple: true, class: "photo-input",
  });
  const list = h("ul", { class: "plain photo-strip photo-picked", "aria-live": "polite" });
  const status = h("p", { class: "help photo-status", "aria-live": "polite" });
  const error = h("p", { class: "error photo-error", role: "alert", hidden: true });
  const pick = h("label", { class: "btn photo-pick", for: id, text: label });
  const root = h("div", { class: "photo-picker" }, input, pick, list, status, error);
  let busy = 0;

  const render = () => {
    list.replaceChildren(...refs.map((ref, i) => h("li", { class: "photo-item" },
      h("button", { type: "button", class: "photo-thumb", "data-photo": ref,
        "aria-label": t("photo.open", { n: i + 1, total: refs.length }), onclick: () => openViewer([...refs], i) },
      h("img", { src: ref, alt: "", loading: "lazy", decoding: "async", width: 96, height: 72 })),
      h("button", { type: "button", class: "photo-remove", "aria-label": t("photo.remove", { n: i + 1 }), text: "×",
        onclick: () => { refs.splice(i, 1); render(); } }))));
    status.textContent = busy ? t("photo.uploading", { n: busy }) : (refs.length ? t("photo.attached", { n: refs.length }) : "");
    pick.hidden = refs.length >= max;
  };

  input.addEventListener("change", async () => {
    const files = [...input.files].slice(0, Math.max(0, max - refs.length));
    input.value = "";
    error.hidden = true;
    const problems = [];
    busy += files.length;
    render();
    await Promise.all(files.map(async (file) => {
      const data = new FormData();
      data.append("file", file, file.name || "camera");
      try {
        const stored = await upload("/api/v1/media/photos", data);
        refs.push(stored.ref);
      } catch (err) {
        problems.push(`${file.name}: ${err.message}`);
      } finally {
        busy -= 1;
        render();
      }
    }));
    if (problems.length) {
      error.textContent = problems.join(" ");
      error.hidden = false;
    }
  });
  render();
  root.refs = () => [...refs];
  root.busy = () => busy > 0;
  return root;
}
