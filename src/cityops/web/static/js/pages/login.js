// 登录: username and password → the session cookie → back to where the user was going (the
// server answers `next` only if it is a path on this site).
import { signIn } from "../api.js";
import { initI18n, t } from "../i18n.js";

function nextPath() {
  return new URLSearchParams(location.search).get("next") || "/";
}

await initI18n();
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  error.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    error.textContent = t("login.missing");
    error.hidden = false;
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const session = await signIn(username, password, nextPath());
    location.assign(session.next);
  } catch (err) {
    error.textContent = err.status === 401 || err.status === 400 ? t("login.failed") : err.message;
    error.hidden = false;
    form.password.select();
  } finally {
    button.disabled = false;
  }
});
// The button is disabled in the page until this handler is attached: a click before then would
// submit the form natively and put the password in the address bar.
form.querySelector("button[type=submit]").disabled = false;
