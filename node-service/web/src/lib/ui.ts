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

/**
 * Shows a message in a live region declared in the HTML as
 * `<div class="message" role="status" aria-live="polite" hidden></div>`: screen readers announce it.
 */
export function showMessage(region: HTMLElement, kind: MessageKind, text: string): void {
  region.dataset['kind'] = kind;
  region.textContent = text;
  region.hidden = false;
}

export function clearMessage(region: HTMLElement): void {
  region.textContent = '';
  region.hidden = true;
}

/** What to tell the user about a failure: the service's localised message, or a generic one. */
export function errorText(error: unknown, i18n: Pick<I18n<CommonKey>, 't'>): string {
  if (error instanceof ApiError) return error.message;
  console.error(error);
  return i18n.t('error.unexpected');
}

export function showError(region: HTMLElement, error: unknown, i18n: Pick<I18n<CommonKey>, 't'>): void {
  showMessage(region, 'error', errorText(error, i18n));
}
