// The "new weekly series" form: course, room, class days, times and dates on the institution's wall clock
// (TIME_ZONE), rounds. It says how many classes it will make as the teacher types, checks each field where it
// was typed, and shows the service's (localised) reason when the service refuses.
import { PageErrorCode } from '../../src/shared/contract';
import { ApiError, type ApiClient } from '../src/lib/api';
import type { Vars } from '../src/lib/i18n';
import { clearMessage, el, required, showError, showMessage } from '../src/lib/ui';
import type { Key, TeacherI18n } from './messages';
import { dateInputValue, isCidr, networkMeant, seriesCount, seriesPath, type Course, type SeriesDraft, type Session, type SkippedDate } from './model';

const fieldNames = ['course', 'room', 'days', 'start', 'end', 'first', 'until', 'rounds', 'networks'] as const;
type FieldName = (typeof fieldNames)[number];
type FieldError = { readonly key: Key; readonly vars?: Vars } | { readonly text: string };
type Errors = Partial<Record<FieldName, FieldError>>;

// Refusals of the service that belong to one field.
const fieldOfCode: Readonly<Record<string, FieldName>> = {
  [PageErrorCode.sessionCourseNotYours]: 'course',
  [PageErrorCode.sessionInvalidTimes]: 'end',
  [PageErrorCode.seriesInvalidDates]: 'until',
  [PageErrorCode.seriesEmpty]: 'days',
  [PageErrorCode.seriesTooMany]: 'until',
};

const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
const weeksByDefault = 16;

export interface SeriesCreated {
  readonly seriesId: string;
  readonly sessions: readonly Session[];
  readonly skipped: readonly SkippedDate[];
}

export interface SeriesForm {
  reset(courses: readonly Course[]): void;
  focus(): void;
}

export function seriesForm(deps: {
  i18n: TeacherI18n;
  api: Pick<ApiClient, 'apiFetch'>;
  message: HTMLElement;
  timeZone: string | undefined;
  maxOccurrences: number | undefined;
  onCreated(created: SeriesCreated): void;
}): SeriesForm {
  const { i18n } = deps;
  const form = required<HTMLFormElement>('#series-form');
  const submit = required<HTMLButtonElement>('#series-submit');
  const input = <T extends HTMLElement = HTMLInputElement>(name: string): T => required<T>(`#s-${name}`);
  const days = required('#s-days .weekday-choice__days');
  const count = required('#s-count');
  const zone = required('#s-zone');
  const boxes = weekdays.map((day) => el('input', { type: 'checkbox', name: 'weekday', value: String(day), id: `s-day-${day}` }));
  const dayLabels = weekdays.map((day, i) => el('label', { for: `s-day-${day}` }, boxes[i]!, el('span', {})));
  days.replaceChildren(...dayLabels);
  let errors: Errors = {};
  const recessList = required('#s-recess-list');
  let recessCount = 0;
  /** One recess: from, to and a name; the teacher adds as many as the semester has. */
  function addRecess(): HTMLInputElement {
    recessCount += 1;
    const n = recessCount;
    const input = (part: string, type: string) => el('input', { id: `s-recess-${part}-${n}`, type, 'data-recess': part, ...(type === 'text' ? { maxlength: '80', autocomplete: 'off' } : {}) });
    const label = (part: string, key: Key) => el('label', { for: `s-recess-${part}-${n}`, 'data-key': key });
    const from = input('from', 'date');
    const remove = el('button', { type: 'button', class: 'button button--secondary', 'data-key': 'series.recessRemove' });
    const row = el(
      'div',
      { class: 'form-row recess-choice__row' },
      el('div', { class: 'form-field' }, label('from', 'series.recessFrom'), from),
      el('div', { class: 'form-field' }, label('to', 'series.recessTo'), input('to', 'date')),
      el('div', { class: 'form-field' }, label('name', 'series.recessName'), input('name', 'text')),
      el('div', { class: 'form-field' }, remove),
    );
    remove.addEventListener('click', () => {
      row.remove();
      required<HTMLButtonElement>('#s-recess-add').focus();
    });
    recessList.append(row);
    render();
    return from;
  }
  const recesses = () =>
    [...recessList.querySelectorAll('.recess-choice__row')]
      .map((row) => {
        const part = (name: string) => (row.querySelector<HTMLInputElement>(`[data-recess="${name}"]`)?.value ?? '').trim();
        return { from: part('from'), to: part('to'), ...(part('name') ? { name: part('name') } : {}) };
      })
      .filter((r) => r.from !== '' || r.to !== '');
  required<HTMLButtonElement>('#s-recess-add').addEventListener('click', () => addRecess().focus());

  const value = (name: FieldName): string => input<HTMLInputElement | HTMLSelectElement>(name).value.trim();
  const chosenDays = (): number[] => boxes.filter((box) => box.checked).map((box) => Number(box.value));

  function render(): void {
    for (const node of recessList.querySelectorAll<HTMLElement>('[data-key]')) node.textContent = i18n.t(node.dataset['key'] as Key);
    dayLabels.forEach((label, i) => (label.querySelector('span')!.textContent = i18n.t(`weekday.${weekdays[i]!}` as Key)));
    zone.textContent = i18n.t('series.zone', { zone: deps.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone });
    const n = seriesCount(value('first'), value('until'), chosenDays());
    count.textContent = n === 0 ? i18n.t('series.countNone') : i18n.t('series.count', { count: n, max: deps.maxOccurrences ?? '—' });
    if (!deps.message.hidden && deps.message.dataset['invalid'] === 'true') showMessage(deps.message, 'error', i18n.t('form.invalid'));
    for (const name of fieldNames) {
      const error = errors[name];
      const field = name === 'days' ? boxes[0]! : input(name);
      const slot = required(`#s-${name}-error`);
      if (name !== 'days') {
        if (error) field.setAttribute('aria-invalid', 'true');
        else field.removeAttribute('aria-invalid');
      }
      slot.textContent = error ? ('key' in error ? i18n.t(error.key, error.vars) : error.text) : '';
      slot.hidden = !error;
    }
  }

  function read(): { draft: SeriesDraft } | { errors: Errors } {
    const found: Errors = {};
    if (!value('course')) found.course = { key: 'error.courseRequired' };
    const room = value('room');
    if (!room) found.room = { key: 'error.roomRequired' };
    else if (room.length > 80) found.room = { key: 'error.roomTooLong' };
    const picked = chosenDays();
    if (picked.length === 0) found.days = { key: 'error.daysRequired' };
    const time = /^\d{2}:\d{2}$/;
    if (!time.test(value('start'))) found.start = { key: 'error.timeRequired' };
    if (!time.test(value('end'))) found.end = { key: 'error.timeRequired' };
    else if (!found.start && value('end') <= value('start')) found.end = { key: 'error.endBeforeStart' };
    const date = /^\d{4}-\d{2}-\d{2}$/;
    if (!date.test(value('first'))) found.first = { key: 'error.dateRequired' };
    if (!date.test(value('until'))) found.until = { key: 'error.dateRequired' };
    else if (!found.first && value('until') < value('first')) found.until = { key: 'error.untilBeforeFirst' };
    if (!found.first && !found.until && picked.length > 0) {
      const n = seriesCount(value('first'), value('until'), picked);
      if (n === 0) found.days = { key: 'error.seriesEmpty' };
      else if (deps.maxOccurrences !== undefined && n > deps.maxOccurrences) found.until = { key: 'error.seriesTooMany', vars: { count: n, max: deps.maxOccurrences } };
    }
    const rounds = Number(value('rounds'));
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) found.rounds = { key: 'error.rounds' };
    const networks = input<HTMLTextAreaElement>('networks').value.trim().split(/\s*\n\s*/).filter((line) => line !== '');
    const wrong = networks.filter((line) => !isCidr(line));
    const hosts = networks.filter((line) => !wrong.includes(line) && networkMeant(line) !== null);
    if (wrong.length > 0) found.networks = { key: 'error.networks', vars: { lines: wrong.join(', ') } };
    else if (hosts.length > 0) found.networks = { key: 'error.networksHostBits', vars: { lines: hosts.map((line) => `${line} → ${networkMeant(line)}`).join(', ') } };
    else if (networks.length > 50) found.networks = { key: 'error.networksTooMany' };
    if (Object.keys(found).length > 0) return { errors: found };
    return {
      draft: {
        courseId: value('course'),
        room,
        weekdays: picked,
        startTime: value('start'),
        endTime: value('end'),
        firstDate: value('first'),
        untilDate: value('until'),
        roundsPlanned: rounds,
        allowedNetworks: networks,
        fallbackCodeEnabled: input('fallback').checked,
        rosterPolicy: input<HTMLSelectElement>('policy').value === 'flag' ? 'flag' : 'refuse',
        recesses: recesses(),
      },
    };
  }

  function focusFirstError(): void {
    const first = fieldNames.find((name) => errors[name]);
    if (first === 'networks') required<HTMLDetailsElement>('#s-advanced').open = true;
    if (first) (first === 'days' ? boxes[0]! : input(first)).focus();
  }

  async function onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    clearMessage(deps.message);
    delete deps.message.dataset['invalid'];
    const result = read();
    errors = 'errors' in result ? result.errors : {};
    render();
    if ('errors' in result) {
      deps.message.dataset['invalid'] = 'true'; // so that a change of language re-words it
      showMessage(deps.message, 'error', i18n.t('form.invalid'));
      focusFirstError();
      return;
    }
    submit.disabled = true;
    try {
      deps.onCreated(await deps.api.apiFetch<SeriesCreated>(seriesPath, { method: 'POST', body: result.draft }));
    } catch (error) {
      const field = error instanceof ApiError ? fieldOfCode[error.code] : undefined;
      if (field && error instanceof ApiError) {
        errors = { [field]: { text: error.message } };
        render();
        focusFirstError();
      }
      showError(deps.message, error, i18n);
    } finally {
      submit.disabled = false;
    }
  }

  // A field's error goes away as soon as the teacher changes it; the count follows every change.
  form.addEventListener('input', (event) => {
    const target = event.target as HTMLElement;
    if (target.dataset['recess']) return;
    const name = (target.id.startsWith('s-day-') ? 'days' : target.id.replace(/^s-/, '')) as FieldName;
    if (errors[name]) {
      const { [name]: _fixed, ...rest } = errors;
      errors = rest;
    }
    render();
  });
  form.addEventListener('submit', (event) => void onSubmit(event));
  i18n.onChange(render);

  return {
    reset(courses) {
      input<HTMLSelectElement>('course').replaceChildren(...courses.map((c) => el('option', { value: c.id }, c.name)));
      const today = new Date();
      input('first').value = dateInputValue(today);
      input('until').value = dateInputValue(new Date(today.getFullYear(), today.getMonth(), today.getDate() + weeksByDefault * 7 - 1));
      input('start').value = '08:30';
      input('end').value = '10:00';
      errors = {};
      render();
    },
    focus() {
      const course = input<HTMLSelectElement>('course');
      (course.options.length > 1 ? course : input('room')).focus();
    },
  };
}
