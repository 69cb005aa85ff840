// The signed-in part of every page's header: who is signed in, "Mis cursos" (back to the first page of
// their role) and "Salir" (the portal's sign-out). Shown only when a portal token is at hand: a page that
// needs no sign-in (the scan page on a phone) keeps its header as it was, and no login page is forced.
import { basePath, type ApiClient, type Identity } from './api';
import type { I18n } from './i18n';

/** What the header shows of a portal token. Display only: the service verifies every token it receives. */
export type Holder = Pick<Identity, 'name' | 'role'>;

const roles: readonly Identity['role'][] = ['teacher', 'student', 'admin'];

/** The name and role a portal JWT carries, or null for anything that is not one. */
export function holderOfToken(token: string): Holder | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const bytes = Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (char) => char.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims !== 'object' || claims === null) return null;
    const { name, role } = claims as { name?: unknown; role?: unknown };
    if (typeof name !== 'string' || name.trim() === '' || !roles.includes(role as Identity['role'])) return null;
    return { name, role: role as Identity['role'] };
  } catch {
    return null;
  }
}

/** The first page of each role: a teacher's courses and sessions, a student's attendance, the admin's devices. */
export function homeOf(role: Identity['role']): { href: string; key: 'account.home' | 'account.admin' } {
  switch (role) {
    case 'teacher':
      return { href: `${basePath}teacher/`, key: 'account.home' };
    case 'student':
      return { href: `${basePath}student/`, key: 'account.home' };
    case 'admin':
      return { href: `${basePath}admin/`, key: 'account.admin' };
  }
}

/** The portal's sign-out page, in the page's language, with the way back should the user change their mind. */
export function signOutHref(logoutUrl: string, lang: string, here: string): string {
  const query = `lang=${encodeURIComponent(lang)}&next=${encodeURIComponent(here)}`;
  return `${logoutUrl}${logoutUrl.includes('?') ? '&' : '?'}${query}`;
}

/** Fills the header's `[data-account]` slot once the page knows who is signed in; nothing when nobody is. */
export async function mountAccount(i18n: I18n<string>, api: Pick<ApiClient, 'config' | 'getToken' | 'forgetToken'>): Promise<void> {
  const slot = document.querySelector<HTMLElement>('[data-account]');
  if (!slot) return;
  let holder: Holder | null;
  let logoutUrl: string;
  try {
    logoutUrl = (await api.config()).logoutUrl;
    const token = await api.getToken({ redirect: false });
    holder = token === null ? null : holderOfToken(token);
  } catch {
    return; // the page itself reports an unreachable service; the header stays as it is
  }
  if (holder === null) return;
  const signedIn = holder;

  const name = document.createElement('span');
  name.className = 'account-nav__name';
  const home = document.createElement('a');
  home.className = 'account-nav__link';
  const signOut = document.createElement('a');
  signOut.className = 'account-nav__link';
  // The page's token is forgotten before it goes: a page kept in the back/forward cache holds none.
  signOut.addEventListener('click', () => api.forgetToken());

  const render = (): void => {
    slot.setAttribute('aria-label', i18n.t('account.nav'));
    name.textContent = signedIn.name;
    name.title = i18n.t('account.signedInAs', { name: signedIn.name });
    const { href, key } = homeOf(signedIn.role);
    home.href = href;
    home.textContent = i18n.t(key);
    signOut.href = signOutHref(logoutUrl, i18n.lang, location.pathname + location.search);
    signOut.textContent = i18n.t('account.signOut');
  };
  render();
  i18n.onChange(render);
  slot.replaceChildren(name, home, signOut);
  slot.hidden = false;
}
