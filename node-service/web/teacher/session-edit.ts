// Editing a session before it opens: room, date and times (on the institution's wall clock) and rounds, in a
// small modal dialog. Only what changed is sent; the service refuses once the session has opened (409) and
// audits every change.
import { PageErrorCode } from '../../src/shared/contract';
import { ApiError, type ApiClient } from '../src/lib/api';
import { zonedInputs, zonedIso } from '../src/lib/dates';
import type { Vars } from '../src/lib/i18n';
import { el, errorText } from '../src/lib/ui';
import type { Key, TeacherI18n } from './messages';
import { seriesPath, type Session } from './model';

/** What PATCH /api/session-series/:id answers: the classes changed, and those kept because they ran. */
export interface SeriesEdited {
  readonly changed: readonly Session[];
  readonly kept: readonly Session[];
}
type Scope = 'one' | 'from' | 'all';

const fieldNames = ['room', 'date', 'start', 'end', 'rounds'] as const;
type FieldName = (typeof fieldNames)[number];
type Errors = Partial<Record<FieldName, { readonly key: Key; readonly vars?: Vars } | { readonly text: string }>>;

const fieldOfCode: Readonly<Record<string, FieldName>> = { [PageErrorCode.sessionInvalidTimes]: 'end' };

export interface SessionEditDialog {
  open(session: Session): void;
}

export function sessionEditDialog(deps: {
  i18n: TeacherI18n;
  api: Pick<ApiClient, 'apiFetch'>;
  path: string;
  timeZone: string | undefined;
  onSaved(session: Session): void;
  onSeriesSaved(result: SeriesEdited): void;
  onClosed(): void;
}): SessionEditDialog {
  const { i18n } = deps;
  const heading = el('h2', { id: 'edit-heading' });
  const hint = el('p', { class: 'muted' });
  const zone = el('p', { id: 'edit-zone', class: 'form-field__hint' });
  const field = (name: FieldName, type: string, extra: Record<string, string> = {}) => {
    const describedBy = name === 'start' || name === 'end' ? `edit-zone edit-${name}-error` : `edit-${name}-error`;
    const input = el('input', { id: `edit-${name}`, type, 'aria-describedby': describedBy, ...extra });
    const label = el('label', { for: `edit-${name}` });
    const error = el('p', { id: `edit-${name}-error`, class: 'form-field__error', hidden: true });
    return { input, label, error, wrapper: el('div', { class: 'form-field' }, label, input, error) };
  };
  const fields = {
    room: field('room', 'text', { maxlength: '80', autocomplete: 'off' }),
    date: field('date', 'date'),
    start: field('start', 'time'),
    end: field('end', 'time'),
    rounds: field('rounds', 'number', { min: '1', max: '10', step: '1', inputmode: 'numeric' }),
  };
  // In a series: this class only, this one and the following ones, or every class (each keeps its date).
  const scopeOption = (value: Scope) => el('option', { value });
  const scope = el('select', { id: 'edit-scope', 'aria-describedby': 'edit-scope-hint' }, scopeOption('one'), scopeOption('from'), scopeOption('all'));
  const scopeLabel = el('label', { for: 'edit-scope' });
  const scopeHint = el('p', { id: 'edit-scope-hint', class: 'form-field__hint' });
  const scopeField = el('div', { class: 'form-field', hidden: true }, scopeLabel, scope, scopeHint);
  const scopeOf = (): Scope => (scope.value === 'from' || scope.value === 'all' ? scope.value : 'one');
  scope.addEventListener('change', () => {
    fields.date.input.disabled = scopeOf() !== 'one';
  });
  const problem = el('p', { class: 'form-field__error', role: 'alert', hidden: true });
  const save = el('button', { type: 'submit', class: 'button' });
  const cancel = el('button', { type: 'button', class: 'button button--secondary' });
  const form = el(
    'form',
    { class: 'correction__form', novalidate: true },
    heading,
    hint,
    scopeField,
    fields.room.wrapper,
    el('div', { class: 'form-row' }, fields.date.wrapper, fields.start.wrapper, fields.end.wrapper),
    zone,
    fields.rounds.wrapper,
    problem,
    el('div', { class: 'form-actions' }, save, cancel),
  );
  const dialog = el('dialog', { class: 'correction', 'aria-labelledby': 'edit-heading' }, form);
  document.body.append(dialog);

  let current: Session | undefined;
  let errors: Errors = {};
  let failure: string | undefined;

  const labels: Record<FieldName, Key> = { room: 'form.room', date: 'form.date', start: 'form.start', end: 'form.end', rounds: 'form.rounds' };

  function render(): void {
    heading.textContent = i18n.t('edit.heading');
    hint.textContent = i18n.t('edit.hint');
    zone.textContent = i18n.t('edit.zone', { zone: deps.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone });
    save.textContent = i18n.t('edit.save');
    cancel.textContent = i18n.t('form.cancel');
    scopeLabel.textContent = i18n.t('edit.scope');
    scopeHint.textContent = i18n.t('edit.scopeHint');
    const scopeKeys: Record<Scope, Key> = { one: 'edit.scopeOne', from: 'edit.scopeFrom', all: 'edit.scopeAll' };
    for (const option of scope.options) option.textContent = i18n.t(scopeKeys[option.value as Scope]);
    for (const name of fieldNames) {
      const { input, label, error } = fields[name];
      label.textContent = i18n.t(labels[name]);
      const found = errors[name];
      if (found) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      error.textContent = found ? ('key' in found ? i18n.t(found.key, found.vars) : found.text) : '';
      error.hidden = !found;
    }
    problem.textContent = failure ?? '';
    problem.hidden = failure === undefined;
  }

  /** The changes typed, only what differs from the session; or what is wrong with them. */
  function read(session: Session): { changes: Record<string, string | number> } | { errors: Errors } {
    const found: Errors = {};
    const room = fields.room.input.value.trim();
    if (!room) found.room = { key: 'error.roomRequired' };
    else if (room.length > 80) found.room = { key: 'error.roomTooLong' };
    const date = fields.date.input.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) found.date = { key: 'error.dateRequired' };
    const start = zonedIso(date, fields.start.input.value, deps.timeZone);
    const end = zonedIso(date, fields.end.input.value, deps.timeZone);
    if (!/^\d{2}:\d{2}$/.test(fields.start.input.value)) found.start = { key: 'error.timeRequired' };
    if (!/^\d{2}:\d{2}$/.test(fields.end.input.value)) found.end = { key: 'error.timeRequired' };
    else if (start && end && end <= start) found.end = { key: 'error.endBeforeStart' };
    const rounds = Number(fields.rounds.input.value);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) found.rounds = { key: 'error.rounds' };
    if (Object.keys(found).length > 0 || !start || !end) return { errors: found };
    const changes: Record<string, string | number> = {};
    if (room !== session.room) changes['room'] = room;
    if (start !== new Date(session.plannedStart).toISOString()) changes['plannedStart'] = start;
    if (end !== new Date(session.plannedEnd).toISOString()) changes['plannedEnd'] = end;
    if (rounds !== session.roundsPlanned) changes['roundsPlanned'] = rounds;
    return { changes };
  }

  /** The same change for the series: wall-clock times (each class keeps its date), from this class or all. */
  function seriesChanges(session: Session, changes: Record<string, string | number>): Record<string, string | number> {
    const out: Record<string, string | number> = {};
    if (changes['room'] !== undefined) out['room'] = changes['room'];
    if (changes['roundsPlanned'] !== undefined) out['roundsPlanned'] = changes['roundsPlanned'];
    if (fields.start.input.value !== zonedInputs(session.plannedStart, deps.timeZone).time) out['startTime'] = fields.start.input.value;
    if (fields.end.input.value !== zonedInputs(session.plannedEnd, deps.timeZone).time) out['endTime'] = fields.end.input.value;
    if (Object.keys(out).length > 0 && scopeOf() === 'from') out['fromSessionId'] = session.id;
    return out;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!current) return;
    failure = undefined;
    const result = read(current);
    errors = 'errors' in result ? result.errors : {};
    render();
    if ('errors' in result) {
      fields[fieldNames.find((name) => errors[name]) ?? 'room'].input.focus();
      return;
    }
    const inSeries = current.seriesId !== null && scopeOf() !== 'one';
    const body = inSeries ? seriesChanges(current, result.changes) : result.changes;
    if (Object.keys(body).length === 0) {
      dialog.close(); // nothing changed: nothing to send
      return;
    }
    save.disabled = true;
    const sent = inSeries
      ? deps.api.apiFetch<SeriesEdited>(`${seriesPath}/${encodeURIComponent(current.seriesId!)}`, { method: 'PATCH', body }).then((edited) => () => deps.onSeriesSaved(edited))
      : deps.api.apiFetch<Session>(deps.path, { method: 'PATCH', body }).then((session) => () => deps.onSaved(session));
    sent
      .then((announce) => {
        dialog.close();
        announce();
      })
      .catch((error: unknown) => {
        const field = error instanceof ApiError ? fieldOfCode[error.code] : undefined;
        if (field) errors = { [field]: { text: errorText(error, i18n) } };
        failure = errorText(error, i18n);
        render();
      })
      .finally(() => (save.disabled = false));
  });
  form.addEventListener('input', (event) => {
    const name = (event.target as HTMLElement).id.replace(/^edit-/, '') as FieldName;
    if (!errors[name]) return;
    const { [name]: _fixed, ...rest } = errors;
    errors = rest;
    render();
  });
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    current = undefined;
    deps.onClosed();
  });
  i18n.onChange(render);

  return {
    open(session) {
      current = session;
      errors = {};
      failure = undefined;
      const start = zonedInputs(session.plannedStart, deps.timeZone);
      fields.room.input.value = session.room;
      fields.date.input.value = start.date;
      fields.start.input.value = start.time;
      fields.end.input.value = zonedInputs(session.plannedEnd, deps.timeZone).time;
      fields.rounds.input.value = String(session.roundsPlanned);
      scopeField.hidden = session.seriesId === null;
      scope.value = 'one';
      fields.date.input.disabled = false;
      render();
      dialog.showModal();
      fields.room.input.focus();
    },
  };
}
