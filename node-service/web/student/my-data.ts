// "Mis datos": the student's own data (GET /api/me/data), as JSON or CSV, fetched with the portal token.
import { basePath, type ApiClient } from '../src/lib/api';
import { download } from '../src/lib/download';
import { el, showError, showMessage } from '../src/lib/ui';
import type { StudentI18n } from './messages';

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
      download(deps.api, i18n, `${basePath}api/me/data?format=${format}`, `mis-datos.${format}`)
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
