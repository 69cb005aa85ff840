// "Importar horario (CSV)": the teacher pastes or chooses a timetable, checks it (every class it would make,
// and every row's problem, named by its row) and imports it: all rows or none (POST /api/session-imports).
import { PageErrorCode } from '../../src/shared/contract';
import { ApiError, basePath, type ApiClient } from '../src/lib/api';
import { formatDate } from '../src/lib/dates';
import { clearMessage, el, required, showError } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import type { Course, Session } from './model';

const importPath = `${basePath}api/session-imports`;

interface Preview {
  readonly classes: ReadonlyArray<{ row: number; plannedStart: string; startTime: string; endTime: string; room: string; holiday: string | null }>;
  readonly issues: ReadonlyArray<{ row: number; es: string; en: string }>;
}

export function importPanel(deps: {
  i18n: TeacherI18n;
  api: Pick<ApiClient, 'apiFetch'>;
  message: HTMLElement;
  timeZone: string | undefined;
  courses(): readonly Course[];
  onImported(count: number): void;
}): void {
  const { i18n } = deps;
  const section = required('#import');
  const open = required<HTMLButtonElement>('#new-import');
  const form = required<HTMLFormElement>('#import-form');
  const course = required<HTMLSelectElement>('#i-course');
  const csv = required<HTMLTextAreaElement>('#i-csv');
  const file = required<HTMLInputElement>('#i-file');
  const result = required('#i-result');
  const submit = required<HTMLButtonElement>('#i-submit');
  let shown: Preview | undefined;

  function render(): void {
    if (!shown) return result.replaceChildren();
    const parts: HTMLElement[] = [];
    if (shown.issues.length > 0) {
      parts.push(el('p', { class: 'form-field__error' }, i18n.t('import.issues')));
      parts.push(el('ul', { class: 'import-issues' }, ...shown.issues.map((issue) => el('li', {}, i18n.lang === 'en' ? issue.en : issue.es))));
    }
    parts.push(el('p', {}, i18n.t('import.classes', { count: shown.classes.length })));
    parts.push(
      el(
        'ul',
        { class: 'import-classes' },
        ...shown.classes.map((c) =>
          el('li', {}, `${formatDate(c.plannedStart, i18n.lang, deps.timeZone)}, ${c.startTime}–${c.endTime} · ${c.room}${c.holiday ? ` (${i18n.t('import.holiday', { name: c.holiday })})` : ''}`),
        ),
      ),
    );
    result.replaceChildren(...parts);
  }

  const body = (preview: boolean) => ({ courseId: course.value, csv: csv.value, preview });
  /** The classes and the rows' problems; after a refused import the refusal stays shown above them. */
  async function check(keepMessage = false): Promise<void> {
    if (!keepMessage) clearMessage(deps.message);
    shown = await deps.api.apiFetch<Preview>(importPath, { method: 'POST', body: body(true) });
    render();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    check().catch((error: unknown) => showError(deps.message, error, i18n));
  });
  submit.addEventListener('click', () => {
    clearMessage(deps.message);
    submit.disabled = true;
    deps.api
      .apiFetch<{ sessions: Session[] }>(importPath, { method: 'POST', body: body(false) })
      .then((done) => {
        shown = undefined;
        render();
        csv.value = '';
        section.hidden = true;
        open.hidden = false;
        deps.onImported(done.sessions.length);
      })
      .catch(async (error: unknown) => {
        showError(deps.message, error, i18n);
        // Nothing was imported: the rows to fix, each named.
        if (error instanceof ApiError && error.code === PageErrorCode.timetableInvalid) await check(true).catch(() => undefined);
      })
      .finally(() => (submit.disabled = false));
  });
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (chosen) void chosen.text().then((text) => (csv.value = text));
  });
  open.addEventListener('click', () => {
    course.replaceChildren(...deps.courses().map((c) => el('option', { value: c.id }, c.name)));
    section.hidden = false;
    open.hidden = true;
    csv.focus();
  });
  required<HTMLButtonElement>('#i-cancel').addEventListener('click', () => {
    section.hidden = true;
    open.hidden = false;
    open.focus();
  });
  i18n.onChange(render);
}
