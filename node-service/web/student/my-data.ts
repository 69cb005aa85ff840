// "Mis datos": the student's own data (GET /api/me/data), as JSON or CSV. The API needs the portal token, so
// a plain link cannot fetch it: the file is fetched with the token and handed to the browser as a download.
import { apiErrorFrom, basePath, type ApiClient } from '../src/lib/api';
import { el, showError, showMessage } from '../src/lib/ui';
import type { StudentI18n } from './messages';

async function fetchData(api: Pick<ApiClient, 'getToken' | 'forgetToken'>, i18n: StudentI18n, format: 'json' | 'csv'): Promise<Response> {
  const send = async () => {
    const token = await api.getToken();
    return fetch(`${basePath}api/me/data?format=${format}`, { headers: { Authorization: `Bearer ${token}`, 'Accept-Language': i18n.lang }, cache: 'no-store' });
  };
  let response = await send();
  if (response.status === 401) {
    api.forgetToken();
    response = await send();
  }
  if (!response.ok) throw await apiErrorFrom(response, i18n);
  return response;
}

async function save(response: Response, fallbackName: string): Promise<string> {
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/** The "Mis datos" card: what is kept, and two downloads. */
export function myDataPanel(deps: { i18n: StudentI18n; api: Pick<ApiClient, 'getToken' | 'forgetToken'> }): { element: HTMLElement; render(): void } {
  const { i18n } = deps;
  const heading = el('h2', { id: 'my-data-heading' });
  const text = el('p', { class: 'muted' });
  const status = el('p', { class: 'message', role: 'status', 'aria-live': 'polite', hidden: true });
  let busy = false;
  const button = (format: 'json' | 'csv') => {
    const b = el('button', { type: 'button', class: 'button button--secondary', 'data-format': format });
    b.addEventListener('click', () => {
      if (busy) return;
      busy = true;
      showMessage(status, 'info', i18n.t('data.working'));
      fetchData(deps.api, i18n, format)
        .then((response) => save(response, `mis-datos.${format}`))
        .then((file) => showMessage(status, 'success', i18n.t('data.done', { file })))
        .catch((error: unknown) => showError(status, error, i18n))
        .finally(() => (busy = false));
    });
    return b;
  };
  const json = button('json');
  const csv = button('csv');
  const element = el('section', { class: 'card my-data', 'aria-labelledby': 'my-data-heading' }, heading, text, el('p', { class: 'my-data__actions' }, json, csv), status);
  return {
    element,
    render() {
      heading.textContent = i18n.t('data.heading');
      text.textContent = i18n.t('data.text');
      json.textContent = i18n.t('data.json');
      csv.textContent = i18n.t('data.csv');
    },
  };
}
