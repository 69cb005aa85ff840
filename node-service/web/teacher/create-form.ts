// The "new session" form: checks each field where the teacher typed it, sends the draft, and when the
// service refuses, shows its (localised) reason, next to the field it concerns when there is one.
import { PageErrorCode } from '../../src/shared/contract';
import { ApiError, type ApiClient } from '../src/lib/api';
import type { Vars } from '../src/lib/i18n';
import { clearMessage, el, errorText, required, showError, showMessage } from '../src/lib/ui';
import type { Key, TeacherI18n } from './messages';
import { dateInputValue, isCidr, localIso, networkMeant, sessionsPath, timeInputValue, type Course, type Session, type SessionDraft } from './model';

const fieldNames = ['course', 'room', 'date', 'start', 'end', 'rounds', 'period', 'grace', 'late', 'networks'] as const;
type FieldName = (typeof fieldNames)[number];
type FieldError = { readonly key: Key; readonly vars?: Vars } | { readonly failure: ApiError };
type Errors = Partial<Record<FieldName, FieldError>>;

// Refusals of the service that belong to one field.
const fieldOfCode: Readonly<Record<string, FieldName>> = {
  [PageErrorCode.sessionCourseNotYours]: 'course',
  [PageErrorCode.sessionInvalidTimes]: 'end',
  [PageErrorCode.sessionInvalidPeriod]: 'period',
  [PageErrorCode.sessionInvalidGrace]: 'grace',
};

const defaultClassMinutes = 90;

export interface CreateForm {
  /** Fills the course choice and sensible defaults (today, now, +90 minutes). */
  reset(courses: readonly Course[]): void;
  focus(): void;
}

export function createForm(deps: {
  i18n: TeacherI18n;
  api: Pick<ApiClient, 'apiFetch'>;
  message: HTMLElement;
  onCreated(session: Session): void;
}): CreateForm {
  const { i18n } = deps;
  const form = required<HTMLFormElement>('#create-form');
  const submit = required<HTMLButtonElement>('#create-submit');
  const input = <T extends HTMLElement = HTMLInputElement>(name: string): T => required<T>(`#f-${name}`);
  const course = input<HTMLSelectElement>('course');
  let errors: Errors = {};

  const zone = required('#f-zone');
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  function renderErrors(): void {
    if (!deps.message.hidden && deps.message.dataset['invalid'] === 'true') showMessage(deps.message, 'error', i18n.t('form.invalid'));
    zone.textContent = i18n.t('form.timeZone', { zone: timeZone });
    for (const name of fieldNames) {
      const error = errors[name];
      const field = input(name);
      const slot = required(`#f-${name}-error`);
      if (error) field.setAttribute('aria-invalid', 'true');
      else field.removeAttribute('aria-invalid');
      slot.textContent = error ? ('key' in error ? i18n.t(error.key, error.vars) : errorText(error.failure, i18n)) : '';
      slot.hidden = !error;
    }
  }

  function read(): { draft: SessionDraft } | { errors: Errors } {
    const found: Errors = {};
    const value = (name: FieldName): string => input<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(name).value.trim();

    if (!value('course')) found.course = { key: 'error.courseRequired' };
    const room = value('room');
    if (!room) found.room = { key: 'error.roomRequired' };
    else if (room.length > 80) found.room = { key: 'error.roomTooLong' };

    const date = value('date');
    const plannedStart = localIso(date, value('start'));
    const plannedEnd = localIso(date, value('end'));
    if (!date || input('date').validity.badInput) found.date = { key: 'error.dateRequired' };
    if (!plannedStart) found.start = { key: 'error.timeRequired' };
    if (!plannedEnd) found.end = { key: 'error.timeRequired' };
    else if (plannedStart && new Date(plannedEnd) <= new Date(plannedStart)) found.end = { key: 'error.endBeforeStart' };

    const rounds = numberIn('rounds', { min: 1, max: 10, integer: true });
    if (rounds === undefined || Number.isNaN(rounds)) found.rounds = { key: 'error.rounds' };
    const period = numberIn('period', { min: 1, max: 30 });
    if (Number.isNaN(period)) found.period = { key: 'error.period' };
    const grace = numberIn('grace', { min: 0, max: period !== undefined && !Number.isNaN(period) ? period : 30 });
    if (Number.isNaN(grace)) found.grace = { key: 'error.grace' };
    const late = numberIn('late', { min: 0, max: 600, integer: true });
    if (Number.isNaN(late)) found.late = { key: 'error.late' };

    const networks = value('networks').split(/\s*\n\s*/).filter((line) => line !== '');
    const wrong = networks.filter((line) => !isCidr(line));
    const hosts = networks.filter((line) => !wrong.includes(line) && networkMeant(line) !== null);
    if (wrong.length > 0) found.networks = { key: 'error.networks', vars: { lines: wrong.join(', ') } };
    else if (hosts.length > 0) {
      found.networks = { key: 'error.networksHostBits', vars: { lines: hosts.map((line) => `${line} → ${networkMeant(line)}`).join(', ') } };
    } else if (networks.length > 50) found.networks = { key: 'error.networksTooMany' };

    if (Object.keys(found).length > 0) return { errors: found };
    return {
      draft: {
        courseId: value('course'),
        room,
        plannedStart: plannedStart!,
        plannedEnd: plannedEnd!,
        roundsPlanned: rounds!,
        ...(period === undefined ? {} : { rotationPeriodMs: Math.round(period * 1000) }),
        ...(grace === undefined ? {} : { graceMs: Math.round(grace * 1000) }),
        ...(late === undefined ? {} : { lateAfterMinutes: late }),
        allowedNetworks: networks,
        fallbackCodeEnabled: input('fallback').checked,
        rosterPolicy: input<HTMLSelectElement>('policy').value === 'flag' ? 'flag' : 'refuse',
      },
    };
  }

  /** undefined when empty, NaN when not a number in range, else the number. */
  function numberIn(name: FieldName, range: { min: number; max: number; integer?: boolean }): number | undefined {
    const field = input(name);
    if (field.validity.badInput) return Number.NaN;
    if (field.value.trim() === '') return undefined;
    const n = Number(field.value);
    const ok = Number.isFinite(n) && n >= range.min && n <= range.max && (!range.integer || Number.isInteger(n));
    return ok ? n : Number.NaN;
  }

  function focusFirstError(): void {
    const first = fieldNames.find((name) => errors[name]);
    if (!first) return;
    if (input(first).closest('details')) required<HTMLDetailsElement>('#advanced').open = true;
    input(first).focus();
  }

  async function onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    clearMessage(deps.message);
    delete deps.message.dataset['invalid'];
    const result = read();
    errors = 'errors' in result ? result.errors : {};
    renderErrors();
    if ('errors' in result) {
      deps.message.dataset['invalid'] = 'true'; // so that a change of language re-words it
      showMessage(deps.message, 'error', i18n.t('form.invalid'));
      focusFirstError();
      return;
    }
    submit.disabled = true;
    try {
      const session = await deps.api.apiFetch<Session>(sessionsPath, { method: 'POST', body: result.draft });
      deps.onCreated(session);
    } catch (error) {
      const field = error instanceof ApiError ? fieldOfCode[error.code] : undefined;
      if (field && error instanceof ApiError) {
        errors = { [field]: { failure: error } };
        renderErrors();
        focusFirstError();
      }
      showError(deps.message, error, i18n);
    } finally {
      submit.disabled = false;
    }
  }

  // A field's error goes away as soon as the teacher changes it.
  form.addEventListener('input', (event) => {
    const name = (event.target as HTMLElement).id.replace(/^f-/, '') as FieldName;
    if (!errors[name]) return;
    const { [name]: _fixed, ...rest } = errors;
    errors = rest;
    renderErrors();
  });
  form.addEventListener('submit', (event) => void onSubmit(event));
  i18n.onChange(renderErrors);

  return {
    reset(courses) {
      course.replaceChildren(...courses.map((c) => el('option', { value: c.id }, c.name)));
      const start = new Date();
      start.setMinutes(start.getMinutes() - (start.getMinutes() % 5), 0, 0);
      let end = new Date(start.getTime() + defaultClassMinutes * 60_000);
      if (dateInputValue(end) !== dateInputValue(start)) end = new Date(start.getFullYear(), start.getMonth(), start.getDate(), 23, 55);
      input('date').value = dateInputValue(start);
      input('start').value = timeInputValue(start);
      input('end').value = timeInputValue(end);
      errors = {};
      renderErrors();
    },
    focus() {
      (course.options.length > 1 ? course : input('room')).focus();
    },
  };
}
