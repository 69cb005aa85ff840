// Small DOM helpers shared by the pages: building elements and telling the user how things went.
import { ApiError } from './api';
import type { CommonKey, I18n } from './i18n';

type Attrs = Readonly<Record<string, string | boolean | undefined>>;
type Child = Node | string;

/** `el('a', { href: '/x', class: 'button' }, 'Text')`; `true` sets an empty attribute, `false`/`undefined` skips it. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === true) element.setAttribute(name, '');
    else if (typeof value === 'string') element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

/** The element a page declared in its HTML; a missing one is a bug in the page, not a user error. */
export function required<T extends HTMLElement = HTMLElement>(selector: string): T {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`Page is missing ${selector}`);
  return element;
}

export type MessageKind = 'error' | 'success' | 'info';

// The error each region shows, so that a change of language re-words it (see showError).
const shownErrors = new WeakMap<HTMLElement, unknown>();
const followingLanguage = new WeakSet<HTMLElement>();

/**
 * Shows a message in a live region declared in the HTML as
 * `<div class="message" role="status" aria-live="polite" hidden></div>`: screen readers announce it.
 */
export function showMessage(region: HTMLElement, kind: MessageKind, text: string): void {
  shownErrors.delete(region);
  region.dataset['kind'] = kind;
  region.textContent = text;
  region.hidden = false;
}

export function clearMessage(region: HTMLElement): void {
  shownErrors.delete(region);
  region.textContent = '';
  region.hidden = true;
}

/**
 * What to tell the user about a failure, in the page's current language: the service's message (it sends
 * every language), the page's own text for a failure the service did not word, or a generic one.
 */
export function errorText(error: unknown, i18n: Pick<I18n<CommonKey>, 't' | 'lang'>): string {
  if (error instanceof ApiError) return error.messageKey ? i18n.t(error.messageKey) : error.textIn(i18n.lang);
  console.error(error);
  return i18n.t('error.unexpected');
}

/** Shows a failure in a live region; when the reader switches language, the same failure in the new one. */
export function showError(region: HTMLElement, error: unknown, i18n: Pick<I18n<CommonKey>, 't' | 'lang' | 'onChange'>): void {
  showMessage(region, 'error', errorText(error, i18n));
  shownErrors.set(region, error);
  if (followingLanguage.has(region)) return;
  followingLanguage.add(region);
  i18n.onChange(() => {
    if (shownErrors.has(region)) region.textContent = errorText(shownErrors.get(region), i18n);
  });
}
