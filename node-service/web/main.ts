// Landing page: what Asistencia is, and for a signed-in user a greeting with the links of their role.
import { basePath, type ApiClient, type ClientConfig, type Identity } from './src/lib/api';
import { defineMessages } from './src/lib/i18n';
import { startPage } from './src/lib/page';
import { el, errorText, required } from './src/lib/ui';

const messages = defineMessages(
  {
    'landing.title': 'Asistencia',
    'landing.heading': 'Asistencia a clase con código QR y llave de acceso',
    'landing.lead':
      'El docente proyecta un código QR que cambia cada pocos segundos; tú lo escaneas con el teléfono y confirmas con tu llave de acceso. Nadie puede firmar por ti.',
    'landing.account': 'Tu cuenta',
    'landing.how': 'Cómo funciona',
    'landing.step1': 'Registras una vez la llave de acceso de tu teléfono (huella o cara).',
    'landing.step2': 'En clase, escaneas el código QR que proyecta el docente.',
    'landing.step3': 'Confirmas con la llave de acceso y quedas registrado en unos segundos.',
    'landing.hello': 'Hola, {name}',
    'landing.signedInAs': 'Has iniciado sesión como {role}.',
    'landing.signedOut': 'Inicia sesión con tu cuenta de la universidad para continuar.',
    'landing.signIn': 'Iniciar sesión',
    'landing.devSwitch': 'Cambiar de usuario (entorno de desarrollo)',
    'link.teacher': 'Mis sesiones de clase',
    'link.enroll': 'Registrar mi llave de acceso',
    'link.student': 'Mi asistencia',
    'link.admin': 'Administración de dispositivos',
  },
  {
    'landing.title': 'Asistencia',
    'landing.heading': 'Class attendance with a QR code and a passkey',
    'landing.lead':
      'The teacher projects a QR code that changes every few seconds; you scan it with your phone and confirm with your passkey. Nobody can sign the register for you.',
    'landing.account': 'Your account',
    'landing.how': 'How it works',
    'landing.step1': "You enrol your phone's passkey once (fingerprint or face).",
    'landing.step2': 'In class, you scan the QR code the teacher projects.',
    'landing.step3': 'You confirm with your passkey and are marked present within seconds.',
    'landing.hello': 'Hello, {name}',
    'landing.signedInAs': 'You are signed in as {role}.',
    'landing.signedOut': 'Sign in with your university account to continue.',
    'landing.signIn': 'Sign in',
    'landing.devSwitch': 'Switch user (development environment)',
    'link.teacher': 'My class sessions',
    'link.enroll': 'Enrol my passkey',
    'link.student': 'My attendance',
    'link.admin': 'Device administration',
  },
);
type Key = keyof (typeof messages)['es'];

const roleLinks: Record<Identity['role'], ReadonlyArray<{ href: string; key: Key }>> = {
  teacher: [{ href: `${basePath}teacher/`, key: 'link.teacher' }],
  student: [
    { href: `${basePath}enroll/`, key: 'link.enroll' },
    { href: `${basePath}student/`, key: 'link.student' },
  ],
  admin: [{ href: `${basePath}admin/`, key: 'link.admin' }],
};

type AccountState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'signedOut'; readonly config: ClientConfig }
  | { readonly kind: 'signedIn'; readonly config: ClientConfig; readonly me: Identity }
  | { readonly kind: 'failed'; readonly error: unknown };

const { i18n, api } = startPage(messages);
const account = required('#account');
let state: AccountState = { kind: 'loading' };

function render(): void {
  account.replaceChildren(...accountView(state));
}

function accountView(current: AccountState): Node[] {
  switch (current.kind) {
    case 'loading':
      return [el('p', { class: 'muted' }, i18n.t('status.loading'))];
    case 'failed':
      return [el('p', { class: 'message', 'data-kind': 'error' }, errorText(current.error, i18n))];
    case 'signedOut':
      return [
        el('p', {}, i18n.t('landing.signedOut')),
        el('a', { class: 'button', href: api.loginHref(current.config) }, i18n.t('landing.signIn')),
      ];
    case 'signedIn':
      return signedInView(current.me, current.config);
  }
}

function signedInView(me: Identity, config: ClientConfig): Node[] {
  const links = roleLinks[me.role].map(({ href, key }) =>
    el('li', {}, el('a', { class: 'button button--block', href }, i18n.t(key))),
  );
  const view: Node[] = [
    el('p', { class: 'greeting' }, el('strong', {}, i18n.t('landing.hello', { name: me.name }))),
    el('p', { class: 'muted' }, i18n.t('landing.signedInAs', { role: i18n.t(`role.${me.role}`) })),
    el('ul', { class: 'link-list' }, ...links),
  ];
  if (config.devSignIn) {
    view.push(el('p', { class: 'muted' }, el('a', { href: config.loginUrl }, i18n.t('landing.devSwitch'))));
  }
  return view;
}

async function loadAccount(client: ApiClient): Promise<AccountState> {
  try {
    const config = await client.config();
    const token = await client.getToken({ redirect: false });
    if (token === null) return { kind: 'signedOut', config };
    const me = await client.apiFetch<Identity>(`${basePath}api/me`);
    return { kind: 'signedIn', config, me };
  } catch (error) {
    return { kind: 'failed', error };
  }
}

i18n.onChange(render);
render();
state = await loadAccount(api);
render();
