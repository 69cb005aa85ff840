// The roster's search, "only missing" filter and order: built once, outside the roster the live refresh
// rebuilds, so typing and focus survive it.
import { el } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import type { RosterFilter, RosterSort } from './model';

const sorts = ['surname', 'status', 'time'] as const;
const sortKeys = { surname: 'roster.sortSurname', status: 'roster.sortStatus', time: 'roster.sortTime' } as const;

export function rosterTools(i18n: TeacherI18n, onChange: () => void) {
  const search = el('input', { type: 'search', id: 'roster-search', autocomplete: 'off' });
  const searchLabel = el('label', { for: 'roster-search' });
  const onlyMissing = el('input', { type: 'checkbox', id: 'roster-missing' });
  const onlyMissingLabel = el('label', { for: 'roster-missing' });
  const sort = el('select', { id: 'roster-sort' });
  const sortLabel = el('label', { for: 'roster-sort' });
  const element = el(
    'div',
    { class: 'roster-tools', role: 'search' },
    el('div', { class: 'form-field' }, searchLabel, search),
    el('div', { class: 'form-field' }, sortLabel, sort),
    el('div', { class: 'form-field form-field--check' }, onlyMissing, onlyMissingLabel),
  );
  search.addEventListener('input', onChange);
  onlyMissing.addEventListener('change', onChange);
  sort.addEventListener('change', onChange);

  return {
    element,
    search,
    filter: (): RosterFilter => ({ query: search.value, onlyMissing: onlyMissing.checked, sort: (sort.value || 'surname') as RosterSort }),
    /** Hidden while the roster is empty; labels in the page's language. */
    render(rosterSize: number): void {
      element.hidden = rosterSize === 0;
      element.setAttribute('aria-label', i18n.t('roster.tools'));
      searchLabel.textContent = i18n.t('roster.search');
      onlyMissingLabel.textContent = i18n.t('roster.onlyMissing');
      sortLabel.textContent = i18n.t('roster.sort');
      const chosen = sort.value || 'surname';
      sort.replaceChildren(...sorts.map((key) => el('option', { value: key, ...(key === chosen ? { selected: true } : {}) }, i18n.t(sortKeys[key]))));
    },
  };
}
