// The session's buttons: open, start or end a round, close; before it opens, edit or delete it (and the
// rest of its series); while it is not closed, the projector link. Built once, rebuilt only when the state
// or the language changes: re-creating the buttons on every refresh would steal the focus. Each is offered only
// to whoever has its right in the course (page.can): an assistant runs the class and projects, but does not
// edit or delete it.
import { basePath } from '../src/lib/api';
import { formatDate, localDateOf } from '../src/lib/dates';
import type { Vars } from '../src/lib/i18n';
import { clearMessage, el, showError } from '../src/lib/ui';
import type { Key } from './messages';
import { seriesPath, type Session } from './model';
import { sessionEditDialog } from './session-edit';
import { refreshQuietly, type SessionContext } from './session-context';

interface Action {
  readonly path: 'open' | 'rounds' | 'rounds/current/end' | 'close';
  readonly label: Key;
  readonly done: Key;
  readonly vars?: Vars;
  readonly danger?: boolean;
}

/** The actions the session's state allows, first the one the teacher most likely wants. */
function actionsFor(session: Session): Action[] {
  const close: Action = { path: 'close', label: 'session.close', done: 'session.closed', danger: true };
  if (session.state === 'scheduled') return [{ path: 'open', label: 'session.open', done: 'session.opened' }, close];
  if (session.state === 'closed') return [];
  if (session.currentRound !== null) {
    const vars = { round: session.currentRound };
    return [{ path: 'rounds/current/end', label: 'session.endRound', done: 'session.roundEnded', vars }, close];
  }
  if (session.roundsStarted < session.roundsPlanned) {
    const vars = { round: session.roundsStarted + 1 };
    return [{ path: 'rounds', label: 'session.startRound', done: 'session.roundStarted', vars }, close];
  }
  return [close];
}

export function actionsPanel(page: SessionContext) {
  const { i18n, api, path, timeZone, message } = page;
  const actions = el('div', { class: 'session-actions', role: 'group' });
  const actionNote = el('p', { class: 'session-action-note muted' });
  let actionsKey = '';

  const editor = sessionEditDialog({
    i18n,
    api,
    path,
    timeZone,
    onSaved() {
      page.announce({ key: 'edit.saved' });
      refreshQuietly(page);
    },
    onSeriesSaved(edited) {
      page.announce({ key: 'edit.seriesSaved', vars: { changed: edited.changed.length }, ...(edited.kept.length > 0 ? { kept: edited.kept.length } : {}) });
      refreshQuietly(page);
    },
    onClosed: () => actions.querySelector<HTMLElement>('[data-action="edit"]')?.focus(),
  });

  function render(session: Session): void {
    const list = actionsFor(session);
    const key = `${i18n.lang}|${session.state}|${session.currentRound}|${session.roundsStarted}`;
    if (key !== actionsKey) {
      actionsKey = key;
      actions.setAttribute('aria-label', i18n.t('session.actions'));
      actions.replaceChildren(...(page.can('run_classes') ? list.map(actionButton) : []), ...planButtons(session), ...projectLink(session));
      const done = session.state === 'open' && session.currentRound === null && session.roundsStarted >= session.roundsPlanned;
      actionNote.textContent = done ? i18n.t('session.allRoundsDone') : session.state === 'closed' ? '' : i18n.t('session.projectHint');
      actionNote.hidden = actionNote.textContent === '';
    }
    for (const button of actions.querySelectorAll('button')) button.disabled = page.busy;
  }

  function actionButton(action: Action): HTMLButtonElement {
    const classes = action.danger ? 'button button--secondary button--danger' : 'button';
    const button = el('button', { type: 'button', class: classes, 'data-action': action.path }, i18n.t(action.label, action.vars));
    button.addEventListener('click', () => void run(action));
    return button;
  }

  /** Before the session opens, its plan can change or the session can go. */
  function planButtons(session: Session): HTMLElement[] {
    if (session.state !== 'scheduled' || !page.can('change_settings')) return [];
    const edit = el('button', { type: 'button', class: 'button button--secondary', 'data-action': 'edit' }, i18n.t('edit.button'));
    edit.addEventListener('click', () => {
      const current = page.current();
      if (current) editor.open(current.session);
    });
    const remove = el('button', { type: 'button', class: 'button button--secondary button--danger', 'data-action': 'delete' }, i18n.t('delete.button'));
    remove.addEventListener('click', () => void removeSession());
    if (!session.seriesId) return [edit, remove];
    const seriesId = session.seriesId;
    const removeFrom = el('button', { type: 'button', class: 'button button--secondary button--danger', 'data-action': 'delete-from' }, i18n.t('delete.fromHere'));
    removeFrom.addEventListener('click', () => void removeFromHere(seriesId, session.id));
    return [edit, remove, removeFrom];
  }

  function projectLink(session: Session): HTMLElement[] {
    if (session.state === 'closed' || !page.can('project')) return [];
    const href = `${basePath}projector/?session=${encodeURIComponent(session.id)}`;
    return [el('a', { class: 'button button--secondary', href, target: '_blank', rel: 'noopener' }, i18n.t('session.project'))];
  }

  /** Marks the page busy and clears the last outcome before an action: true when the action may go ahead. */
  function begin(question: string | undefined): boolean {
    if (page.busy || (question !== undefined && !window.confirm(question))) return false;
    page.busy = true;
    page.render();
    clearMessage(message);
    page.announce(undefined);
    return true;
  }

  /** Deletion leaves the page; when it fails (e.g. opened meanwhile in another tab) the refresh shows why. */
  async function leaveAfter(request: () => Promise<string>): Promise<void> {
    try {
      location.assign(await request());
      return;
    } catch (error) {
      showError(message, error, i18n);
    }
    page.busy = false;
    await page.refresh().catch(() => undefined);
  }

  /** This class and every later one of its series that has not opened; the list says how many went. */
  async function removeFromHere(seriesId: string, sessionId: string): Promise<void> {
    if (!begin(i18n.t('delete.fromHereConfirm'))) return;
    await leaveAfter(async () => {
      const done = await api.apiFetch<{ deleted: number; kept: unknown[] }>(`${seriesPath}/${encodeURIComponent(seriesId)}?from=${encodeURIComponent(sessionId)}`, { method: 'DELETE' });
      return `${basePath}teacher/?seriesDeleted=${done.deleted}&kept=${done.kept.length}`;
    });
  }

  async function removeSession(): Promise<void> {
    if (!begin(i18n.t('delete.confirm'))) return;
    await leaveAfter(async () => {
      await api.apiFetch<void>(path, { method: 'DELETE' });
      return `${basePath}teacher/?deleted=1`;
    });
  }

  /** Asked before acting on another day's class, or closing: the answer to a slip of the finger. */
  function confirmation(action: Action, session: Session): string | undefined {
    if (action.path === 'open' && localDateOf(session.plannedStart, timeZone) !== localDateOf(new Date(), timeZone)) {
      return i18n.t('session.confirmOtherDay', { date: formatDate(session.plannedStart, i18n.lang, timeZone) });
    }
    if (action.path !== 'close') return undefined;
    return session.currentRound !== null ? i18n.t('session.confirmCloseRound', { round: session.currentRound }) : i18n.t('session.confirmClose');
  }

  async function run(action: Action): Promise<void> {
    const session = page.current()?.session;
    if (!session || page.busy) return;
    if (!begin(confirmation(action, session))) return;
    try {
      await api.apiFetch<Session>(`${path}/${action.path}`, { method: 'POST' });
      page.announce({ key: action.done, ...(action.vars ? { vars: action.vars } : {}) });
    } catch (error) {
      showError(message, error, i18n); // e.g. another tab acted first: the refresh shows where things stand
    }
    page.busy = false;
    await page.refresh();
    (actions.querySelector<HTMLElement>('button, a') ?? page.title).focus();
  }

  return {
    elements: [actions, actionNote],
    render,
    /** After a change of language: the buttons are rebuilt on the next render. */
    relabel(): void {
      actionsKey = '';
    },
  };
}
