// "Llamar al azar": the teacher draws a few students who confirmed and calls them by name, on this screen
// (never on the projector). One click marks who answered; one click on "No contesta" takes that student's
// confirmation away (the service corrects the result with a reason, audits it and flags the device), and
// "Deshacer" gives it back if the student answers after all.
import type { ApiClient } from '../src/lib/api';
import { clearMessage, el, showError, showMessage } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import type { Session, SpotCheck, SpotCheckOutcome } from './model';

const defaultCount = 3;
const maxCount = 10;

type Call = SpotCheck['calls'][number];

export function spotCheckPanel(deps: {
  i18n: TeacherI18n;
  api: Pick<ApiClient, 'apiFetch'>;
  /** The session's API path (…/api/sessions/:id). */
  path: string;
  /** After a mark changed a result: the roster refreshes. */
  onMarked(): void;
}): { element: HTMLElement; render(session: Session): void } {
  const { i18n } = deps;
  const heading = el('h2', { id: 'spot-check-heading' });
  const intro = el('p', { class: 'muted' });
  const countLabel = el('label', { for: 'spot-check-count' });
  const count = el('input', { id: 'spot-check-count', type: 'number', min: '1', max: String(maxCount), step: '1', value: String(defaultCount), inputmode: 'numeric' });
  const draw = el('button', { type: 'button', class: 'button', 'data-spot-check': 'draw' });
  const message = el('div', { class: 'message', role: 'status', 'aria-live': 'polite', hidden: true });
  const list = el('div', { class: 'spot-check__list' });
  const element = el(
    'section',
    { class: 'card spot-check', 'aria-labelledby': 'spot-check-heading', hidden: true },
    heading,
    intro,
    el('div', { class: 'spot-check__draw' }, el('div', { class: 'form-field form-field--narrow' }, countLabel, count), draw),
    message,
    list,
  );
  let checks: readonly SpotCheck[] = [];
  let loadedFor = '';
  let busy = false;

  const callsPath = (check: SpotCheck, call: Call) => `${deps.path}/spot-checks/${check.id}/students/${encodeURIComponent(call.studentId)}`;

  function renderWords(): void {
    heading.textContent = i18n.t('spotCheck.heading');
    intro.textContent = i18n.t('spotCheck.intro');
    countLabel.textContent = i18n.t('spotCheck.count');
    draw.textContent = i18n.t('spotCheck.draw');
  }

  function outcomeText(outcome: SpotCheckOutcome): string {
    return i18n.t(`spotCheck.mark.${outcome}`);
  }

  function callRow(check: SpotCheck, call: Call): HTMLElement {
    const buttons: HTMLButtonElement[] = [];
    const button = (label: string, outcome: 'answered' | 'no_answer', reason: string | undefined, danger = false) => {
      const b = el(
        'button',
        {
          type: 'button',
          class: danger ? 'button button--secondary button--danger' : 'button button--secondary',
          'data-mark': outcome,
          'aria-label': `${label}: ${call.studentName}`,
        },
        label,
      );
      b.addEventListener('click', () => void mark(check, call, outcome, reason));
      buttons.push(b);
    };
    if (call.outcome === 'called') {
      button(i18n.t('spotCheck.answered'), 'answered', undefined);
      button(i18n.t('spotCheck.noAnswer'), 'no_answer', i18n.t('spotCheck.noAnswerReason'), true);
    } else if (call.outcome === 'no_answer') {
      button(i18n.t('spotCheck.undo'), 'answered', i18n.t('spotCheck.undoReason'));
    }
    return el(
      'li',
      { class: 'spot-check__call', 'data-student': call.studentId, 'data-outcome': call.outcome },
      el('span', { class: 'spot-check__name' }, call.studentName),
      el('span', { class: 'spot-check__outcome' }, outcomeText(call.outcome)),
      el('span', { class: 'form-actions' }, ...buttons),
    );
  }

  function renderList(): void {
    list.replaceChildren(
      ...checks.map((check) =>
        el(
          'div',
          { class: 'spot-check__check', 'data-check': String(check.id) },
          el('h3', {}, check.round === null ? i18n.t('spotCheck.drawnAfter') : i18n.t('spotCheck.drawnInRound', { round: check.round })),
          el('ul', { class: 'spot-check__calls' }, ...check.calls.map((call) => callRow(check, call))),
        ),
      ),
    );
    for (const b of element.querySelectorAll('button')) b.disabled = busy;
  }

  async function load(): Promise<void> {
    checks = (await deps.api.apiFetch<{ checks: SpotCheck[] }>(`${deps.path}/spot-checks`)).checks;
    renderList();
  }

  async function act(work: () => Promise<void>): Promise<void> {
    if (busy) return;
    busy = true;
    renderList();
    clearMessage(message);
    try {
      await work();
    } catch (error) {
      showError(message, error, i18n);
    }
    busy = false;
    await load().catch(() => undefined);
  }

  async function mark(check: SpotCheck, call: Call, outcome: 'answered' | 'no_answer', reason: string | undefined): Promise<void> {
    await act(async () => {
      await deps.api.apiFetch(callsPath(check, call), { method: 'POST', body: reason ? { outcome, reason } : { outcome } });
      const key = outcome === 'no_answer' ? 'spotCheck.markedNoAnswer' : call.outcome === 'no_answer' ? 'spotCheck.markedUndone' : 'spotCheck.markedAnswered';
      showMessage(message, 'success', i18n.t(key, { name: call.studentName }));
      if (outcome === 'no_answer' || call.outcome === 'no_answer') deps.onMarked();
    });
    element.querySelector<HTMLElement>(`[data-student="${CSS.escape(call.studentId)}"] button`)?.focus();
  }

  draw.addEventListener('click', () => {
    const wanted = Number(count.value);
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > maxCount) {
      showMessage(message, 'error', i18n.t('spotCheck.countInvalid', { max: maxCount }));
      count.focus();
      return;
    }
    void act(async () => {
      const check = await deps.api.apiFetch<SpotCheck>(`${deps.path}/spot-checks`, { method: 'POST', body: { count: wanted } });
      showMessage(message, 'info', i18n.t('spotCheck.drawn', { count: check.calls.length }));
    });
  });

  return {
    element,
    render(session) {
      element.hidden = session.state === 'scheduled' || session.roundsStarted === 0;
      renderWords();
      const key = `${session.id}|${i18n.lang}`;
      if (element.hidden || key === loadedFor) return;
      loadedFor = key;
      void load().catch((error: unknown) => showError(message, error, i18n));
    },
  };
}
