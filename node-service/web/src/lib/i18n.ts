// Spanish first, English available. The language comes from `?lang=`, else from the last choice made
// (with the switcher or a `?lang=` link, kept in localStorage), else Spanish. Static text is marked with `data-i18n="key"` (text) or
// `data-i18n-attrs="aria-label:key;title:other.key"` (attributes); dynamic text calls `t()` and
// re-renders from `onChange`.

const languages = ['es', 'en'] as const;
export type Lang = (typeof languages)[number];
export type Vars = Readonly<Record<string, string | number>>;

/** A page's dictionaries: Spanish is the reference and English must have exactly the same keys. */
export interface Messages<K extends string> {
  readonly es: Readonly<Record<K, string>>;
  readonly en: Readonly<Record<K, string>>;
}

export function defineMessages<const ES extends Record<string, string>>(
  es: ES,
  en: Readonly<Record<keyof ES, string>>,
): Messages<keyof ES & string> {
  return { es, en };
}

/** Text every page needs: the switcher, the shell and the API client's own errors. */
const commonMessages = defineMessages(
  {
    'app.name': 'Asistencia',
    'app.home': 'Asistencia: página de inicio',
    'nav.skip': 'Saltar al contenido',
    'lang.switcher': 'Idioma',
    'footer.text': 'Asistencia · registro de asistencia a clase',
    'role.teacher': 'docente',
    'role.student': 'estudiante',
    'role.admin': 'administración',
    'error.network': 'No se pudo contactar con el servidor. Comprueba la conexión y vuelve a intentarlo.',
    'error.unexpected': 'Algo ha fallado. Vuelve a intentarlo en unos momentos.',
    'status.loading': 'Cargando…',
    'account.nav': 'Tu cuenta',
    'account.signedInAs': 'Sesión iniciada como {name}',
    'account.home': 'Mis cursos',
    'account.admin': 'Administración',
    'account.signOut': 'Salir',
  },
  {
    'app.name': 'Asistencia',
    'app.home': 'Asistencia: home page',
    'nav.skip': 'Skip to content',
    'lang.switcher': 'Language',
    'footer.text': 'Asistencia · class attendance records',
    'role.teacher': 'teacher',
    'role.student': 'student',
    'role.admin': 'administrator',
    'error.network': 'Could not reach the server. Check your connection and try again.',
    'error.unexpected': 'Something went wrong. Please try again in a moment.',
    'status.loading': 'Loading…',
    'account.nav': 'Your account',
    'account.signedInAs': 'Signed in as {name}',
    'account.home': 'My courses',
    'account.admin': 'Administration',
    'account.signOut': 'Sign out',
  },
);
export type CommonKey = keyof (typeof commonMessages)['es'];

export interface I18n<K extends string = CommonKey> {
  readonly lang: Lang;
  t(key: K | CommonKey, vars?: Vars): string;
  setLang(lang: Lang): void;
  onChange(listener: (lang: Lang) => void): void;
  /** Fills every `data-i18n` / `data-i18n-attrs` element under root (the whole document by default). */
  translate(root?: ParentNode): void;
}

const storageKey = 'asistencia.lang';
const languageNames: Record<Lang, string> = { es: 'Español', en: 'English' };

function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

export function createI18n<K extends string>(page: Messages<K>): I18n<K> {
  const dictionaries = {
    es: { ...commonMessages.es, ...page.es } as Record<string, string>,
    en: { ...commonMessages.en, ...page.en } as Record<string, string>,
  };
  const listeners: Array<(lang: Lang) => void> = [];
  let lang = initialLang();

  const i18n: I18n<K> = {
    get lang() {
      return lang;
    },
    t(key, vars) {
      const text = dictionaries[lang][key];
      if (text === undefined) {
        console.warn(`i18n: missing key "${key}" for "${lang}"`);
        return key;
      }
      return vars ? interpolate(text, vars) : text;
    },
    setLang(next) {
      if (next === lang) return;
      lang = next;
      remember(next);
      i18n.translate();
      for (const listener of listeners) listener(next);
    },
    onChange(listener) {
      listeners.push(listener);
    },
    translate(root = document) {
      document.documentElement.lang = lang;
      for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
        el.textContent = i18n.t(el.dataset['i18n'] as K);
      }
      for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-attrs]')) {
        for (const [attr, key] of parseAttrs(el.dataset['i18nAttrs'] ?? '')) {
          el.setAttribute(attr, i18n.t(key as K));
        }
      }
    },
  };
  return i18n;
}

/** "Español | English": each name in its own language; the choice re-renders the page and is remembered. */
export function languageSwitcher(i18n: I18n<string>): HTMLElement {
  const nav = document.createElement('nav');
  nav.className = 'lang-switcher';
  nav.dataset['i18nAttrs'] = 'aria-label:lang.switcher';
  nav.setAttribute('aria-label', i18n.t('lang.switcher'));
  languages.forEach((code, index) => {
    if (index > 0) {
      const separator = document.createElement('span');
      separator.setAttribute('aria-hidden', 'true');
      separator.textContent = '|';
      nav.append(separator);
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.lang = code;
    button.dataset['lang'] = code;
    button.textContent = languageNames[code];
    button.addEventListener('click', () => i18n.setLang(code));
    nav.append(button);
  });
  const markCurrent = (current: Lang): void => {
    for (const button of nav.querySelectorAll<HTMLButtonElement>('button')) {
      button.setAttribute('aria-pressed', String(button.dataset['lang'] === current));
    }
  };
  markCurrent(i18n.lang);
  i18n.onChange(markCurrent);
  return nav;
}

function initialLang(): Lang {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (isLang(fromUrl)) {
    writeStorage(fromUrl); // a link that names the language is a choice too: the next pages follow it
    return fromUrl;
  }
  const stored = readStorage();
  return isLang(stored) ? stored : 'es';
}

/** Stores the choice and, when the address carries `?lang=`, keeps it in step so a reload agrees. */
function remember(lang: Lang): void {
  writeStorage(lang);
  const url = new URL(location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.set('lang', lang);
    history.replaceState(history.state, '', url);
  }
}

function writeStorage(lang: Lang): void {
  try {
    localStorage.setItem(storageKey, lang);
  } catch {
    // Storage can be disabled (private browsing, policy): the choice then lasts for this page only.
  }
}

function readStorage(): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

function interpolate(text: string, vars: Vars): string {
  return text.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = vars[name];
    return value === undefined ? match : String(value);
  });
}

function parseAttrs(spec: string): Array<[string, string]> {
  return spec
    .split(';')
    .map((pair) => pair.split(':').map((part) => part.trim()))
    .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== '' && pair[1] !== '');
}
