// A walk-in (a student not on the course list whose confirmation the session accepted with a flag): the
// teacher accepts them (the flag goes) or rejects them (their confirmations leave the results), always with
// a reason, in a small modal dialog. The service audits the decision.
import { type ApiClient } from '../src/lib/api';
import { el, errorText } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import type { RosterRow } from './model';

export type WalkInDecision = 'accepted' | 'rejected';

export interface WalkInDialog {
  open(row: RosterRow, decision: WalkInDecision): void;
}

export function walkInDialog(deps: {
  i18n: TeacherI18n;
  api: Pick<ApiClient, 'apiFetch'>;
  path: string;
  onReviewed(row: RosterRow, decision: WalkInDecision): void;
}): WalkInDialog {
  const { i18n } = deps;
  const heading = el('h2', { id: 'walk-in-heading' });
  const reasonLabel = el('label', { for: 'walk-in-reason' });
  const reason = el('textarea', { id: 'walk-in-reason', rows: '2', required: true, minlength: '3', maxlength: '500', 'aria-describedby': 'walk-in-error' });
  const error = el('p', { id: 'walk-in-error', class: 'form-field__error', role: 'alert', hidden: true });
  const save = el('button', { type: 'submit', class: 'button' });
  const cancel = el('button', { type: 'button', class: 'button button--secondary' });
  const form = el('form', { class: 'correction__form', novalidate: true }, heading, el('div', { class: 'form-field' }, reasonLabel, reason), error, el('div', { class: 'form-actions' }, save, cancel));
  const dialog = el('dialog', { class: 'correction', 'aria-labelledby': 'walk-in-heading' }, form);
  document.body.append(dialog);

  let current: { row: RosterRow; decision: WalkInDecision } | undefined;
  let problem: (() => string) | undefined; // worded at each render, so it follows a change of language

  function render(): void {
    if (!current) return;
    const name = current.row.studentName;
    heading.textContent = i18n.t(current.decision === 'accepted' ? 'walkIn.acceptHeading' : 'walkIn.rejectHeading', { name });
    reasonLabel.textContent = i18n.t('correction.reason');
    save.textContent = i18n.t(current.decision === 'accepted' ? 'walkIn.accept' : 'walkIn.reject');
    cancel.textContent = i18n.t('correction.cancel');
    error.hidden = problem === undefined;
    error.textContent = problem?.() ?? '';
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!current) return;
    const { row, decision } = current;
    if (reason.value.trim().length < 3) {
      problem = () => i18n.t('correction.reasonShort');
      render();
      reason.focus();
      return;
    }
    save.disabled = true;
    deps.api
      .apiFetch(`${deps.path}/students/${encodeURIComponent(row.studentId)}/walk-in`, { method: 'POST', body: { decision, reason: reason.value.trim() } })
      .then(() => {
        dialog.close();
        deps.onReviewed(row, decision);
      })
      .catch((failure: unknown) => {
        problem = () => errorText(failure, i18n);
        render();
      })
      .finally(() => (save.disabled = false));
  });
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => (current = undefined));
  i18n.onChange(render);

  return {
    open(row, decision) {
      current = { row, decision };
      problem = undefined;
      reason.value = '';
      render();
      dialog.showModal();
      reason.focus();
    },
  };
}
