// The course page's justifications: the students' requests to justify an absence, those waiting first, each
// with its reason, its document (fetched with the token, then saved) and, while waiting, "Aprobar" and
// "Rechazar" with an optional note; the decided ones say by whom and when.
import { basePath, type ApiClient } from '../src/lib/api';
import { formatDate, formatTime } from '../src/lib/dates';
import { el, errorText, showMessage } from '../src/lib/ui';
import { download } from './exports';
import type { TeacherI18n } from './messages';
import { coursePath, type Justification } from './model';

interface Deps {
  i18n: TeacherI18n;
  api: ApiClient;
  courseId: string;
  timeZone: string | undefined;
  message: HTMLElement;
  /** After a decision: the standings change, so the page reloads its data. */
  onDecided(): Promise<void>;
}

export function justificationsPanel(deps: Deps): { element: HTMLElement; load(): Promise<void>; render(): void } {
  const { i18n, api } = deps;
  const heading = el('h2', { id: 'justifications-heading' });
  const body = el('div', {});
  const element = el('section', { class: 'card', 'aria-labelledby': 'justifications-heading', 'data-justifications': true }, heading, body);
  let requests: readonly Justification[] = [];

  const when = (iso: string) => `${formatDate(iso, i18n.lang, deps.timeZone)} · ${formatTime(iso, i18n.lang, deps.timeZone)}`;

  async function decide(request: Justification, decision: 'approved' | 'rejected', note: string, buttons: HTMLButtonElement[]): Promise<void> {
    for (const b of buttons) b.disabled = true;
    try {
      await api.apiFetch(`${basePath}api/justifications/${encodeURIComponent(request.id)}/decision`, {
        method: 'POST',
        body: { decision, note: note.trim() === '' ? null : note.trim() },
      });
      await deps.onDecided();
      showMessage(deps.message, 'success', i18n.t(decision === 'approved' ? 'justifications.done.approved' : 'justifications.done.rejected', { name: request.studentName }));
    } catch (error) {
      showMessage(deps.message, 'error', errorText(error, i18n));
      for (const b of buttons) b.disabled = false;
    }
  }

  function documentButton(request: Justification): HTMLElement {
    if (!request.attachment) return el('span', { class: 'muted' }, i18n.t('justifications.noDocument'));
    const { name } = request.attachment;
    const button = el('button', { type: 'button', class: 'button button--secondary', 'aria-label': i18n.t('justifications.documentFor', { name: request.studentName, file: name }) }, i18n.t('justifications.document'));
    button.addEventListener('click', () => {
      download(api, i18n, `${basePath}api/justifications/${encodeURIComponent(request.id)}/attachment`, name)
        .then((file) => showMessage(deps.message, 'success', i18n.t('export.done', { file })))
        .catch((error: unknown) => showMessage(deps.message, 'error', errorText(error, i18n)));
    });
    return button;
  }

  function stateCell(request: Justification): HTMLTableCellElement {
    if (request.state !== 'pending' && request.decision) {
      const said = i18n.t(request.state === 'approved' ? 'justifications.approved' : 'justifications.rejected', { name: request.decision.by.name, at: when(request.decision.at) });
      return el('td', { 'data-state': request.state }, said, ...(request.decision.note ? [el('br'), el('span', { class: 'muted' }, `«${request.decision.note}»`)] : []));
    }
    const noteId = `justification-note-${request.id}`;
    const note = el('input', { id: noteId, type: 'text', maxlength: '500', autocomplete: 'off' });
    const approve = el('button', { type: 'button', class: 'button', 'aria-label': i18n.t('justifications.approveFor', { name: request.studentName }) }, i18n.t('justifications.approve'));
    const reject = el('button', { type: 'button', class: 'button button--secondary', 'aria-label': i18n.t('justifications.rejectFor', { name: request.studentName }) }, i18n.t('justifications.reject'));
    approve.addEventListener('click', () => void decide(request, 'approved', note.value, [approve, reject]));
    reject.addEventListener('click', () => void decide(request, 'rejected', note.value, [approve, reject]));
    return el(
      'td',
      { 'data-state': 'pending' },
      el('p', { class: 'muted' }, i18n.t('justifications.pending')),
      el('div', { class: 'form-field' }, el('label', { for: noteId }, i18n.t('justifications.noteFor', { name: request.studentName })), note),
      el('div', { class: 'form-actions' }, approve, reject),
    );
  }

  function table(): HTMLElement {
    const th = (text: string): HTMLTableCellElement => el('th', { scope: 'col' }, text);
    return el(
      'div',
      { class: 'roster-scroll' },
      el(
        'table',
        { class: 'roster justification-table' },
        el('caption', { class: 'visually-hidden' }, i18n.t('justifications.caption')),
        el(
          'thead',
          {},
          el('tr', {}, th(i18n.t('roster.student')), th(i18n.t('justifications.class')), th(i18n.t('justifications.requested')), th(i18n.t('justifications.reason')), th(i18n.t('justifications.state'))),
        ),
        el(
          'tbody',
          {},
          ...requests.map((request) =>
            el(
              'tr',
              { 'data-justification': request.id, 'data-student': request.studentId },
              el('th', { scope: 'row' }, request.studentName),
              el('td', {}, `${when(request.plannedStart)} · ${request.room}`),
              el('td', {}, when(request.requestedAt)),
              el('td', {}, el('p', {}, request.reason), documentButton(request)),
              stateCell(request),
            ),
          ),
        ),
      ),
    );
  }

  return {
    element,
    async load() {
      requests = (await api.apiFetch<{ justifications: Justification[] }>(`${coursePath(deps.courseId)}/justifications`)).justifications;
    },
    render() {
      heading.textContent = i18n.t('justifications.heading', { count: requests.filter((r) => r.state === 'pending').length });
      body.replaceChildren(requests.length === 0 ? el('p', { class: 'muted' }, i18n.t('justifications.none')) : table());
    },
  };
}
