// The client for the Node service. The portal (or, in development, the dev sign-in) hands the page a
// short-lived JWT at `tokenUrl`; every API call carries it as a Bearer token, plus the page language so
// the service localises its error messages.
import type { CommonKey, I18n, Lang } from './i18n';

export const basePath = import.meta.env.BASE_URL; // '/asistencia/'

export interface ClientConfig {
  readonly tokenUrl: string;
  readonly loginUrl: string;
  /** The portal's sign-out page (a confirmation, then a POST that ends the portal session). */
  readonly logoutUrl: string;
  readonly devSignIn: boolean;
  /** The institution's IANA time zone: pages show dates and times in it. */
  readonly timeZone?: string;
  /** The institution's campus networks: a session without networks of its own accepts these (none: any). */
  readonly campusNetworks?: readonly string[];
  /** ENROLLMENT_CHANGE_NOTICE_DAYS: how long a change to the student's devices is announced. */
  readonly deviceChangeNoticeDays?: number;
  /** The service's bounds on sessions (what the forms may check before sending). */
  readonly sessionLimits?: { readonly seriesMaxOccurrences?: number };
}

export interface Identity {
  readonly id: string;
  readonly name: string;
  readonly role: 'teacher' | 'student' | 'admin';
}

/** One problem of a refused request, as the service's validation reports it ("body/reason": "too short"). */
export interface ApiErrorDetail {
  readonly where: string;
  readonly problem: string;
}

/**
 * A non-2xx answer, carrying the service's stable error code, its message in the language the request
 * asked for and, when the service sent them, in every language (so a page re-renders it in the language
 * the reader switches to), and, for a request that failed validation, which fields were wrong.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ApiErrorDetail[] = [],
    readonly messages: Readonly<Partial<Record<Lang, string>>> = {},
    /** The page's own text for a failure the service did not word (unreachable, an answer that is not ours). */
    readonly messageKey?: CommonKey,
  ) {
    super(message);
  }

  /** The message in `lang`, or the one received when the service sent no other. */
  textIn(lang: Lang): string {
    return this.messages[lang] ?? this.message;
  }
}

/** The ApiError of a non-2xx answer (for pages that call fetch themselves, e.g. downloads). */
export async function apiErrorFrom(response: Response, i18n: Pick<I18n<CommonKey>, 't'>): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  const error = isErrorBody(body) ? body.error : undefined;
  if (!error) return new ApiError(response.status, `HTTP_${response.status}`, i18n.t('error.unexpected'), [], {}, 'error.unexpected');
  return new ApiError(response.status, error.code, error.message, detailsOf(error.details), messagesOf(error.messages));
}

/** The error of a request that never reached the service. */
export function networkError(i18n: Pick<I18n<CommonKey>, 't'>): ApiError {
  return new ApiError(0, 'NETWORK_ERROR', i18n.t('error.network'), [], {}, 'error.network');
}

interface ApiInit extends Omit<RequestInit, 'body'> {
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Public endpoints (the dev sign-in, the scan step) pass `false` to skip the Bearer token. */
  readonly auth?: boolean;
}

interface TokenOptions {
  /** `false`: answer `null` when nobody is signed in, instead of sending the browser to the login page. */
  readonly redirect?: boolean;
}

export interface ApiClient {
  config(): Promise<ClientConfig>;
  getToken(options: { redirect: false }): Promise<string | null>;
  getToken(options?: TokenOptions): Promise<string>;
  /** Forgets the cached token, e.g. after signing out. */
  forgetToken(): void;
  apiFetch<T = unknown>(path: string, init?: ApiInit): Promise<T>;
  /** The login page, asked to come back to the current page afterwards. */
  loginHref(config: ClientConfig): string;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number; // unix seconds
}

const refreshMarginSeconds = 30;

export function createApiClient(i18n: Pick<I18n<CommonKey>, 'lang' | 't'>): ApiClient {
  let configPromise: Promise<ClientConfig> | undefined;
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken | null> | undefined;

  const config = (): Promise<ClientConfig> => {
    configPromise ??= request(`${basePath}client-config`, {})
      .then((response) => readBody<ClientConfig>(response))
      .catch((error: unknown) => {
        configPromise = undefined; // let a later call try again
        throw error;
      });
    return configPromise;
  };

  const fetchToken = async (): Promise<CachedToken | null> => {
    const tokenUrl = signedInByLti() ? `${basePath}lti/token` : (await config()).tokenUrl;
    const response = await send(tokenUrl, { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) return null;
    if (!response.ok) throw await toApiError(response);
    return (await response.json()) as CachedToken;
  };

  const loginHref = (cfg: ClientConfig): string => {
    const next = encodeURIComponent(location.pathname + location.search);
    return `${cfg.loginUrl}${cfg.loginUrl.includes('?') ? '&' : '?'}next=${next}`;
  };

  async function getToken(options: { redirect: false }): Promise<string | null>;
  async function getToken(options?: TokenOptions): Promise<string>;
  async function getToken(options: TokenOptions = {}): Promise<string | null> {
    const now = Date.now() / 1000;
    if (!cached || cached.expiresAt - refreshMarginSeconds <= now) {
      pending ??= fetchToken().finally(() => (pending = undefined));
      cached = (await pending) ?? undefined;
    }
    if (cached) return cached.token;
    if (options.redirect === false) return null;
    location.assign(loginHref(await config()));
    // The browser is leaving for the login page: nothing after this should run or render.
    return new Promise<never>(() => {});
  }

  const apiFetch = async <T>(path: string, init: ApiInit = {}): Promise<T> => {
    const { auth = true, ...rest } = init;
    const url = path.startsWith('/') ? path : `${basePath}${path}`;
    let response = await request(url, rest, auth ? await getToken() : undefined);
    if (response.status === 401 && auth) {
      // The token may have been revoked or expired early (clock skew): fetch a fresh one once.
      cached = undefined;
      response = await request(url, rest, await getToken());
    }
    return readBody<T>(response);
  };

  async function request(url: string, init: ApiInit, token?: string): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    headers.set('Accept-Language', i18n.lang);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    if (init.body !== undefined) headers.set('Content-Type', 'application/json');
    const body = init.body === undefined ? null : JSON.stringify(init.body);
    return send(url, { ...init, headers, body });
  }

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch {
      throw networkError(i18n);
    }
  }

  async function readBody<T>(response: Response): Promise<T> {
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  function toApiError(response: Response): Promise<ApiError> {
    return apiErrorFrom(response, i18n);
  }

  return {
    config,
    getToken,
    forgetToken: () => (cached = undefined),
    apiFetch,
    loginHref,
  };
}

/**
 * A page an LTI launch opened (`?lti=1`) takes its tokens from the service's /lti/token, for as long as the
 * tab lives: the LMS signed the person in, not the portal.
 */
const LTI_FLAG = 'asistencia.signedInBy';
function signedInByLti(): boolean {
  try {
    if (new URLSearchParams(location.search).has('lti')) sessionStorage.setItem(LTI_FLAG, 'lti');
    return sessionStorage.getItem(LTI_FLAG) === 'lti';
  } catch {
    // Storage refused (a sandboxed frame): the address alone says.
    return new URLSearchParams(location.search).has('lti');
  }
}

function detailsOf(details: unknown): ApiErrorDetail[] {
  if (!Array.isArray(details)) return [];
  return details.filter(
    (d): d is ApiErrorDetail =>
      typeof d === 'object' && d !== null && typeof (d as { where?: unknown }).where === 'string' && typeof (d as { problem?: unknown }).problem === 'string',
  );
}

function messagesOf(messages: unknown): Partial<Record<Lang, string>> {
  if (typeof messages !== 'object' || messages === null) return {};
  const { es, en } = messages as { es?: unknown; en?: unknown };
  return { ...(typeof es === 'string' ? { es } : {}), ...(typeof en === 'string' ? { en } : {}) };
}

function isErrorBody(body: unknown): body is { error: { code: string; message: string; messages?: unknown; details?: unknown } } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
