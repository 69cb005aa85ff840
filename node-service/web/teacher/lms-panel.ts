// The course page's "En el LMS": shown when the course is linked to an LMS course (LTI). Every student of
// the portal's roster and of the LMS's (NRPS), each with where they come from, and the state of the
// attendance grade sent to the LMS gradebook (AGS): sent, pending, or the error in words.
import { basePath, type ApiClient } from '../src/lib/api';
import { formatDate, formatTime } from '../src/lib/dates';
import { el, errorText, showMessage } from '../src/lib/ui';
import type { Key, TeacherI18n } from './messages';

interface LmsCourse {
  links: Array<{ contextTitle: string; nrps: boolean; ags: boolean; rosterSyncedAt: string | null }>;
  students: Array<{ studentId: string | null; name: string; email: string | null; source: 'both' | 'portal' | 'lms' }>;
  grades: Array<{ studentId: string; score: number; state: 'sent' | 'pending' | 'failed'; error: string | null }>;
}

const SOURCE: Record<LmsCourse['students'][number]['source'], Key> = { both: 'lms.source.both', portal: 'lms.source.portal', lms: 'lms.source.lms' };

export function lmsPanel(deps: { i18n: TeacherI18n; api: ApiClient; courseId: string; timeZone: string | undefined; message: HTMLElement }) {
  const { i18n, api } = deps;
  const path = `${basePath}api/lti/courses/${encodeURIComponent(deps.courseId)}`;
  const heading = el('h2', { id: 'lms-heading' });
  const hint = el('p', { class: 'muted' });
  const body = el('div', {});
  const sync = el('button', { type: 'button', class: 'button button--secondary', 'data-lms': 'sync-roster' });
  const send = el('button', { type: 'button', class: 'button button--secondary', 'data-lms': 'send-grades' });
  const element = el('section', { class: 'card', 'aria-labelledby': 'lms-heading', 'data-lms-panel': true, hidden: true }, heading, hint, body, el('div', { class: 'form-actions' }, sync, send));
  let data: LmsCourse | undefined;

  const gradeText = (studentId: string | null): string => {
    const grade = data?.grades.find((g) => g.studentId === studentId);
    if (!grade) return '—';
    if (grade.state === 'sent') return i18n.t('lms.grade.sent', { score: String(grade.score) });
    if (grade.state === 'pending') return i18n.t('lms.grade.pending', { score: String(grade.score) });
    return i18n.t('lms.grade.failed', { error: grade.error ?? '' });
  };

  function render(): void {
    heading.textContent = i18n.t('lms.heading');
    sync.textContent = i18n.t('lms.sync');
    send.textContent = i18n.t('lms.send');
    if (!data || data.links.length === 0) {
      element.hidden = true;
      return;
    }
    element.hidden = false;
    const synced = data.links.map((l) => l.rosterSyncedAt).filter((d): d is string => d !== null).sort().at(-1);
    hint.textContent = synced
      ? i18n.t('lms.synced', { title: data.links.map((l) => l.contextTitle).join(', '), when: `${formatDate(synced, i18n.lang, deps.timeZone)} · ${formatTime(synced, i18n.lang, deps.timeZone)}` })
      : i18n.t('lms.notSynced', { title: data.links.map((l) => l.contextTitle).join(', ') });
    const rows = data.students.map((s) =>
      el(
        'tr',
        { 'data-student': s.studentId ?? '', 'data-source': s.source },
        el('th', { scope: 'row' }, s.name),
        el('td', {}, i18n.t(SOURCE[s.source]) + (s.studentId === null ? ` ${i18n.t('lms.noAccount')}` : '')),
        el('td', { 'data-grade': true }, gradeText(s.studentId)),
      ),
    );
    body.replaceChildren(
      el(
        'div',
        { class: 'roster-scroll' },
        el(
        'table',
        { class: 'roster' },
        el('caption', { class: 'visually-hidden' }, i18n.t('lms.heading')),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, i18n.t('lms.col.student')), el('th', { scope: 'col' }, i18n.t('lms.col.source')), el('th', { scope: 'col' }, i18n.t('lms.col.grade')))),
        el('tbody', {}, ...rows),
        ),
      ),
    );
  }

  async function load(): Promise<void> {
    data = await api.apiFetch<LmsCourse>(path);
    render();
  }

  const act = (button: HTMLButtonElement, action: string, done: Key) => {
    button.addEventListener('click', () => {
      button.disabled = true;
      api
        .apiFetch(`${path}/${action}`, { method: 'POST', body: {} })
        .then(() => load())
        .then(() => showMessage(deps.message, 'success', i18n.t(done)))
        .catch((error: unknown) => showMessage(deps.message, 'error', errorText(error, i18n)))
        .finally(() => (button.disabled = false));
    });
  };
  act(sync, 'roster/sync', 'lms.syncDone');
  act(send, 'grades/sync', 'lms.sendDone');

  return { element, load, render };
}
