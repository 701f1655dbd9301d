// The page frame shared by every signed-in page: language, login guard, user box, navigation.
import { me, signOut } from "./api.js";
import { initI18n, onLangChange, t } from "./i18n.js";

function showUser(user) {
  const who = document.getElementById("who");
  if (who) {
    const roles = (user.roles ?? []).map((r) => t(`role.${r}`)).join(" · ");
    who.textContent = `${user.display_name || user.username} (${roles})`;
  }
}

/** Start a signed-in page (the server sent it only with a session): returns the current user;
 * a session that ended meanwhile leaves for /login (api.js on the 401). */
export async function startPage() {
  await initI18n();
  const user = await me();
  showUser(user);
  onLangChange(() => showUser(user));
  const roles = new Set(user.roles ?? []);
  for (const link of document.querySelectorAll("[data-needs-role]")) {
    link.hidden = !link.dataset.needsRole.split(" ").some((r) => roles.has(r));
  }
  const page = document.body.dataset.page;
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === page) {
      link.setAttribute("aria-current", "page");
      // the nav row scrolls sideways when narrower than its pages: show the current one, once
      // the header holds the user's name (it takes room from the row)
      requestAnimationFrame(() => link.scrollIntoView({ block: "nearest", inline: "nearest" }));
    }
  }
  const logout = document.getElementById("logout");
  if (logout) {
    logout.hidden = false;
    logout.addEventListener("click", async () => {
      logout.disabled = true;
      await signOut();
      location.assign("/login");
    });
  }
  return user;
}

export function hasRole(user, ...roles) {
  return (user.roles ?? []).some((r) => roles.includes(r));
}
