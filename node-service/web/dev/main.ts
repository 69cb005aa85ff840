// Development sign-in: pick a demo user, get the session cookie, go back where you came from.
// The service serves this page and its endpoints only when it runs without a configured JWT secret.
import { basePath, type Identity } from '../src/lib/api';
import { defineMessages } from '../src/lib/i18n';
import { safeNext } from '../src/lib/navigation';
import { startPage } from '../src/lib/page';
import { clearMessage, el, required, showError, showMessage } from '../src/lib/ui';

interface DemoUser extends Identity {
  readonly username: string;
}

const messages = defineMessages(
  {
    'dev.title': 'Inicio de sesión de desarrollo · Asistencia',
    'dev.banner': 'Entorno de desarrollo — no usar en producción',
    'dev.bannerDetail':
      'Esta página permite entrar como cualquier usuario de prueba sin contraseña. Solo existe cuando el servicio funciona sin un secreto JWT configurado.',
    'dev.heading': 'Inicio de sesión de desarrollo',
    'dev.session': 'Sesión actual',
    'dev.current': 'Has iniciado sesión como {name} ({role}).',
    'dev.none': 'No has iniciado sesión.',
    'dev.signOut': 'Cerrar sesión',
    'dev.signedOut': 'Has cerrado la sesión.',
    'dev.users': 'Usuarios de prueba',
    'dev.noUsers': 'No hay usuarios de prueba.',
    'dev.signInAs': 'Entrar como {name} ({role})',
  },
  {
    'dev.title': 'Development sign-in · Asistencia',
    'dev.banner': 'Development environment — do not use in production',
    'dev.bannerDetail':
      'This page lets anyone sign in as any demo user without a password. It only exists while the service runs without a configured JWT secret.',
    'dev.heading': 'Development sign-in',
    'dev.session': 'Current session',
    'dev.current': 'You are signed in as {name} ({role}).',
    'dev.none': 'You are not signed in.',
    'dev.signOut': 'Sign out',
    'dev.signedOut': 'You have signed out.',
    'dev.users': 'Demo users',
    'dev.noUsers': 'There are no demo users.',
    'dev.signInAs': 'Sign in as {name} ({role})',
  },
);

const { i18n, api } = startPage(messages);
const message = required('#message');
const current = required('#current');
const usersList = required('#users');
const signOutButton = required<HTMLButtonElement>('#sign-out');

let users: readonly DemoUser[] | undefined;
let me: Identity | null | undefined;

function render(): void {
  if (me !== undefined) {
    current.removeAttribute('data-i18n');
    current.textContent = me
      ? i18n.t('dev.current', { name: me.name, role: i18n.t(`role.${me.role}`) })
      : i18n.t('dev.none');
    signOutButton.disabled = me === null;
  }
  if (users !== undefined) {
    usersList.removeAttribute('aria-busy');
    usersList.replaceChildren(...(users.length ? users.map(userItem) : [el('li', {}, i18n.t('dev.noUsers'))]));
  }
}

function userItem(user: DemoUser): HTMLLIElement {
  const label = i18n.t('dev.signInAs', { name: user.name, role: i18n.t(`role.${user.role}`) });
  const button = el('button', { type: 'button', class: 'button button--block' }, label);
  button.addEventListener('click', () => void signIn(user));
  return el('li', {}, button);
}

function setBusy(busy: boolean): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('main button')) button.disabled = busy;
  if (!busy) signOutButton.disabled = me === null;
}

async function signIn(user: DemoUser): Promise<void> {
  clearMessage(message);
  setBusy(true);
  try {
    await api.apiFetch(`${basePath}dev/sign-in`, { method: 'POST', auth: false, body: { userId: user.id } });
    location.assign(safeNext());
  } catch (error) {
    showError(message, error, i18n);
    setBusy(false);
  }
}

async function signOut(): Promise<void> {
  clearMessage(message);
  setBusy(true);
  try {
    await api.apiFetch(`${basePath}dev/sign-out`, { method: 'POST', auth: false });
    api.forgetToken();
    me = null;
    render();
    showMessage(message, 'success', i18n.t('dev.signedOut'));
  } catch (error) {
    showError(message, error, i18n);
  } finally {
    setBusy(false);
  }
}

async function whoAmI(): Promise<Identity | null> {
  const token = await api.getToken({ redirect: false });
  return token === null ? null : api.apiFetch<Identity>(`${basePath}api/me`);
}

async function load(): Promise<void> {
  const [usersResult, meResult] = await Promise.allSettled([
    api.apiFetch<{ users: DemoUser[] }>(`${basePath}dev/users`, { auth: false }),
    whoAmI(),
  ]);
  users = usersResult.status === 'fulfilled' ? usersResult.value.users : [];
  me = meResult.status === 'fulfilled' ? meResult.value : null;
  render();
  const failure = [usersResult, meResult].find((result) => result.status === 'rejected');
  if (failure) showError(message, failure.reason, i18n);
}

signOutButton.addEventListener('click', () => void signOut());
i18n.onChange(render);
await load();
