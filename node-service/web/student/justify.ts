// "Justificar esta ausencia" under an absence on "Mi asistencia": a reason and an optional document (PDF,
// JPG or PNG, sent in base64; the service reads its type from its bytes and checks its size), and the
// history of the class's requests: asked when, approved or rejected by whom and when, with the note.
import { basePath, type ApiClient } from '../src/lib/api';
import { formatDate, formatTime } from '../src/lib/dates';
import { el, errorText, showMessage } from '../src/lib/ui';
import type { StudentI18n } from './messages';
import type { JustificationRequest, SessionResult } from './model';

interface Deps {
  i18n: StudentI18n;
  api: ApiClient;
  timeZone: string | undefined;
  /** Reloads the page's data once a request is sent, then shows `sent`. */
  onSent(): Promise<void>;
}

const at = (iso: string, deps: Pick<Deps, 'i18n' | 'timeZone'>) => `${formatDate(iso, deps.i18n.lang, deps.timeZone)} · ${formatTime(iso, deps.i18n.lang, deps.timeZone)}`;

function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function historyItem(request: JustificationRequest, deps: Deps): HTMLLIElement {
  const { i18n } = deps;
  const line =
    request.state === 'pending' || !request.decision
      ? i18n.t('justify.pending', { at: at(request.requestedAt, deps) })
      : i18n.t(request.state === 'approved' ? 'justify.approved' : 'justify.rejected', { name: request.decision.by.name, at: at(request.decision.at, deps) });
  return el(
    'li',
    { class: 'justification', 'data-justification': request.state },
    el('span', {}, line),
    ...(request.decision?.note ? [el('span', { class: 'muted' }, ` ${i18n.t('justify.note', { note: request.decision.note })}`)] : []),
  );
}

function requestForm(session: SessionResult, deps: Deps, close: () => void): HTMLFormElement {
  const { i18n } = deps;
  const id = `justify-${session.sessionId}`;
  const reason = el('textarea', { id: `${id}-reason`, rows: '3', maxlength: '1000', required: true, 'aria-describedby': `${id}-hint ${id}-error` });
  const file = el('input', { id: `${id}-file`, type: 'file', accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png', 'aria-describedby': `${id}-error` });
  const error = el('p', { id: `${id}-error`, class: 'form-field__error', role: 'alert', hidden: true });
  const send = el('button', { type: 'submit', class: 'button' }, i18n.t('justify.send'));
  const cancel = el('button', { type: 'button', class: 'button button--secondary' }, i18n.t('justify.cancel'));
  const date = formatDate(session.plannedStart, i18n.lang, deps.timeZone);
  const form = el(
    'form',
    { class: 'justify-form', novalidate: true, 'aria-label': i18n.t('justify.heading', { date }) },
    el('div', { class: 'form-field' }, el('label', { for: reason.id }, i18n.t('justify.reason')), reason, el('p', { id: `${id}-hint`, class: 'form-field__hint' }, i18n.t('justify.reasonHint'))),
    el('div', { class: 'form-field' }, el('label', { for: file.id }, i18n.t('justify.file')), file),
    error,
    el('div', { class: 'form-actions' }, send, cancel),
  );
  const fail = (text: string, focus: HTMLElement) => {
    error.textContent = text;
    error.hidden = false;
    focus.focus();
  };
  cancel.addEventListener('click', close);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const text = reason.value.trim();
      if (text.length < 3) return fail(i18n.t('justify.reasonShort'), reason);
      error.hidden = true;
      send.disabled = true;
      send.textContent = i18n.t('justify.sending');
      try {
        const chosen = file.files?.[0];
        const attachment = chosen ? { name: chosen.name, data: base64Of(new Uint8Array(await chosen.arrayBuffer())) } : null;
        await deps.api.apiFetch(`${basePath}api/me/justifications`, { method: 'POST', body: { sessionId: session.sessionId, reason: text, attachment } });
        await deps.onSent();
      } catch (failure) {
        fail(errorText(failure, i18n), reason);
      } finally {
        send.disabled = false;
        send.textContent = i18n.t('justify.send');
      }
    })();
  });
  return form;
}

/** The justification part of one class: its history, and the way to ask while the class is an absence with nothing waiting. */
export function justificationBlock(session: SessionResult, requests: readonly JustificationRequest[], deps: Deps): HTMLElement[] {
  const { i18n } = deps;
  const mine = requests.filter((r) => r.sessionId === session.sessionId);
  const parts: HTMLElement[] = [];
  if (mine.length) parts.push(el('ul', { class: 'justification-history', 'aria-label': i18n.t('justify.history') }, ...mine.map((r) => historyItem(r, deps))));
  const absent = session.final && (session.status === 'absent' || session.status === 'manual_absent');
  if (absent && !mine.some((r) => r.state === 'pending')) {
    const holder = el('div', { class: 'justify' });
    const open = el('button', { type: 'button', class: 'button button--secondary', 'aria-expanded': 'false' }, i18n.t('justify.open'));
    const close = () => {
      holder.replaceChildren(open);
      open.setAttribute('aria-expanded', 'false');
      open.focus();
    };
    open.addEventListener('click', () => {
      const form = requestForm(session, deps, close);
      holder.replaceChildren(form);
      form.querySelector('textarea')?.focus();
    });
    holder.append(open);
    parts.push(holder);
  }
  return parts;
}

/** Says a sent request in the page's message region. */
export function announceSent(region: HTMLElement, i18n: StudentI18n): void {
  showMessage(region, 'success', i18n.t('justify.sent'));
}
