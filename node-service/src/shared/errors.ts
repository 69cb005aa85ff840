/**
 * One small error type with a stable code. Modules declare their codes with `defineErrors`, each with a
 * kind (mapped to an HTTP status by the one error handler) and a message in Spanish and English. The domain
 * never speaks HTTP: it throws an AppError, and presentation decides nothing about status codes.
 */

export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'too_many'
  | 'unavailable'
  | 'internal';

export type Locale = 'es' | 'en';
/** A variable that reads differently in each language (a date, say): each message takes its own. */
export type LocalizedVar = Readonly<Record<Locale, string>>;
export type MessageVars = Record<string, string | number | LocalizedVar>;

export interface ErrorSpec {
  kind: ErrorKind;
  es: string;
  en: string;
}

export class AppError extends Error {
  override name = 'AppError';

  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    readonly vars: MessageVars = {},
    readonly details?: unknown,
  ) {
    super(`${code}: ${render(catalogue.get(code)?.en ?? code, vars, 'en')}`);
  }

  /** The message in the reader's language. */
  localized(locale: Locale): string {
    const spec = catalogue.get(this.code);
    return spec ? render(spec[locale], this.vars, locale) : this.code;
  }

  /** The message in every language, so that a page can follow a change of language without asking again. */
  translations(): Record<Locale, string> {
    return { es: this.localized('es'), en: this.localized('en') };
  }
}

const catalogue = new Map<string, ErrorSpec>();

type ErrorFactories<T extends Record<string, ErrorSpec>> = {
  [K in keyof T]: (vars?: MessageVars, details?: unknown) => AppError;
};

export function defineErrors<const T extends Record<string, ErrorSpec>>(specs: T): ErrorFactories<T> {
  const factories = {} as ErrorFactories<T>;
  for (const [code, spec] of Object.entries(specs)) {
    const existing = catalogue.get(code);
    if (existing && existing !== spec) throw new Error(`Error code ${code} is declared twice`);
    catalogue.set(code, spec);
    factories[code as keyof T] = (vars, details) => new AppError(code, spec.kind, vars, details);
  }
  return factories;
}

export function errorSpec(code: string): ErrorSpec | undefined {
  return catalogue.get(code);
}

/** Every code declared so far (every module that was loaded), sorted: docs/api.md's list is made from it. */
export function declaredErrors(): Array<{ code: string } & ErrorSpec> {
  return [...catalogue].map(([code, spec]) => ({ code, ...spec })).sort((a, b) => a.code.localeCompare(b.code));
}

function render(template: string, vars: MessageVars, locale: Locale): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(vars, name)) return whole;
    const value = vars[name]!;
    return typeof value === 'object' ? value[locale] : String(value);
  });
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Codes every part of the service may raise. */
export const commonErrors = defineErrors({
  VALIDATION_FAILED: {
    kind: 'invalid',
    es: 'La solicitud no es válida: {detail}',
    en: 'The request is not valid: {detail}',
  },
  BODY_TOO_LARGE: {
    kind: 'too_large',
    es: 'La solicitud es demasiado grande.',
    en: 'The request is too large.',
  },
  NOT_FOUND: {
    kind: 'not_found',
    es: 'No existe lo que buscas.',
    en: 'What you are looking for does not exist.',
  },
  RATE_LIMITED: {
    kind: 'too_many',
    es: 'Demasiadas solicitudes. Espera {seconds} segundos y vuelve a intentarlo.',
    en: 'Too many requests. Wait {seconds} seconds and try again.',
  },
  INTERNAL_ERROR: {
    kind: 'internal',
    es: 'Algo falló en el servidor. Vuelve a intentarlo; si sigue fallando, avisa a soporte.',
    en: 'Something went wrong on the server. Try again; if it keeps failing, tell support.',
  },
  SERVICE_UNAVAILABLE: {
    kind: 'unavailable',
    es: 'El servicio no está disponible ahora: {part}.',
    en: 'The service is not available right now: {part}.',
  },
});
