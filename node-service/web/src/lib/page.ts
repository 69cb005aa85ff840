// What every page does first: pick the language, translate the static HTML, mount the language switcher,
// build the API client that speaks that language and show who is signed in (lib/account.ts).
import { mountAccount } from './account';
import { createApiClient, type ApiClient } from './api';
import { createI18n, languageSwitcher, type I18n, type Messages } from './i18n';

export interface Page<K extends string> {
  readonly i18n: I18n<K>;
  readonly api: ApiClient;
}

export function startPage<K extends string>(messages: Messages<K>): Page<K> {
  const i18n = createI18n(messages);
  i18n.translate();
  document.querySelector('[data-lang-switcher]')?.replaceChildren(languageSwitcher(i18n));
  const api = createApiClient(i18n);
  void mountAccount(i18n, api);
  return { i18n, api };
}
