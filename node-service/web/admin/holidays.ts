// Public holidays (feriados): no weekly series creates a class on one. The admin adds or renames one
// (PUT /api/admin/holidays/:date) or removes one (DELETE); the list is read from GET /api/holidays.
import { basePath, type ApiClient } from '../src/lib/api';
import { clearMessage, el, required, showError, showMessage } from '../src/lib/ui';
import type { AdminI18n } from './messages';

interface Holiday {
  readonly date: string;
  readonly name: string;
}

export async function holidayPanel(deps: { i18n: AdminI18n; api: Pick<ApiClient, 'apiFetch'>; message: HTMLElement }): Promise<void> {
  const { i18n, api, message } = deps;
  const form = required<HTMLFormElement>('#holiday-form');
  const date = required<HTMLInputElement>('#holiday-date');
  const name = required<HTMLInputElement>('#holiday-name');
  const list = required('#holiday-list');
  let holidays: readonly Holiday[] = [];
  let outcome: (() => string) | undefined;

  const render = (): void => {
    if (outcome) showMessage(message, 'success', outcome());
    list.replaceChildren(
      ...holidays.map((h) => {
        const remove = el('button', { type: 'button', class: 'button button--secondary button--danger' }, i18n.t('holidays.remove', { date: h.date }));
        remove.addEventListener('click', () => void removeHoliday(h));
        return el('li', { class: 'holiday-list__item' }, el('span', {}, `${h.date} · ${h.name}`), remove);
      }),
    );
  };
  const load = async (): Promise<void> => {
    holidays = (await api.apiFetch<{ holidays: Holiday[] }>(`${basePath}api/holidays`)).holidays;
    render();
  };
  const path = (day: string) => `${basePath}api/admin/holidays/${encodeURIComponent(day)}`;

  async function removeHoliday(h: Holiday): Promise<void> {
    clearMessage(message);
    try {
      await api.apiFetch<void>(path(h.date), { method: 'DELETE' });
      outcome = () => i18n.t('holidays.removed', { date: h.date });
      await load();
    } catch (error) {
      outcome = undefined;
      showError(message, error, i18n);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearMessage(message);
    const day = date.value;
    const text = name.value.trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !text) {
      outcome = undefined;
      showMessage(message, 'error', i18n.t('holidays.required'));
      (day ? name : date).focus();
      return;
    }
    api
      .apiFetch<void>(path(day), { method: 'PUT', body: { name: text } })
      .then(async () => {
        outcome = () => i18n.t('holidays.added', { date: day, name: text });
        form.reset();
        await load();
      })
      .catch((error: unknown) => {
        outcome = undefined;
        showError(message, error, i18n);
      });
  });
  i18n.onChange(render);
  required('#holidays').hidden = false;
  await load();
}
