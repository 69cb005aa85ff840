// Files the API serves behind the portal token (a student's data, an admin's copy of it): a plain link
// cannot send the token, so the file is fetched with it and handed to the browser as a download.
import { apiErrorFrom, type ApiClient } from './api';
import type { CommonKey, I18n } from './i18n';
import { el } from './ui';

type Reader = Pick<I18n<CommonKey>, 't'> & { readonly lang: string };

/** GETs `url` with the token (once more after a 401, with a fresh one) and saves the answer; resolves with the file's name. */
export async function download(api: Pick<ApiClient, 'getToken' | 'forgetToken'>, i18n: Reader, url: string, fallbackName: string): Promise<string> {
  const send = async () => {
    const token = await api.getToken();
    return fetch(url, { headers: { Authorization: `Bearer ${token}`, 'Accept-Language': i18n.lang }, cache: 'no-store' });
  };
  let response = await send();
  if (response.status === 401) {
    api.forgetToken();
    response = await send();
  }
  if (!response.ok) throw await apiErrorFrom(response, i18n);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const href = URL.createObjectURL(await response.blob());
  const link = el('a', { href, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return name;
}
