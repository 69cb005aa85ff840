// "Corregir": a modal dialog (outside the roster, which the live refresh rebuilds) to excuse a student, mark
// them present or absent, or send them back to the status their rounds give, always with a reason. The service keeps
// the computed status and audits the correction.
import { ApiError, type ApiClient } from '../src/lib/api';
import { el, errorText } from '../src/lib/ui';
import type { Key, TeacherI18n } from './messages';
import type { CorrectedResult, CorrectionChoice, RosterRow } from './model';

const choices: readonly CorrectionChoice[] = ['excused', 'manual_present', 'manual_absent', 'computed'];
const reasonMin = 3;
const reasonMax = 500;

export interface CorrectionDialog {
  open(row: RosterRow): void;
  /** One choice and one reason for several students (a bulk correction), each audited by the service. */
  openMany(rows: readonly RosterRow[]): void;
}

export function correctionDialog(deps: {
  i18n: TeacherI18n;
  api: Pick<ApiClient, 'apiFetch'>;
  path: string;
  onCorrected(result: CorrectedResult, choice: CorrectionChoice): void;
  onCorrectedMany(results: readonly CorrectedResult[], choice: CorrectionChoice): void;
  /** Where the focus goes back when the dialog closes (the roster may have been rebuilt meanwhile); null after a bulk one. */
  onClosed(studentId: string | null): void;
  /** The choices the viewer may make here (an assistant only marks present): the others are not offered. */
  allowed(): readonly CorrectionChoice[];
}): CorrectionDialog {
  const { i18n } = deps;
  const heading = el('h2', { id: 'correction-heading' });
  const legend = el('legend', {});
  const radios = choices.map((choice) => el('input', { type: 'radio', name: 'correction-status', id: `correction-${choice}`, value: choice }));
  const radioLabels = choices.map((choice) => el('label', { for: `correction-${choice}` }));
  const reasonLabel = el('label', { for: 'correction-reason' });
  const reason = el('textarea', {
    id: 'correction-reason',
    rows: '3',
    required: true,
    minlength: String(reasonMin),
    maxlength: String(reasonMax),
    'aria-describedby': 'correction-reason-hint correction-error',
  });
  const hint = el('p', { id: 'correction-reason-hint', class: 'form-field__hint' });
  const error = el('p', { id: 'correction-error', class: 'form-field__error', role: 'alert', hidden: true });
  const save = el('button', { type: 'submit', class: 'button' });
  const cancel = el('button', { type: 'button', class: 'button button--secondary' });
  const form = el(
    'form',
    { class: 'correction__form', novalidate: true },
    heading,
    el(
      'fieldset',
      { class: 'correction__choices' },
      legend,
      ...choices.map((choice, i) => el('div', { class: 'form-field form-field--check', 'data-choice': choice }, radios[i]!, radioLabels[i]!)),
    ),
    el('div', { class: 'form-field' }, reasonLabel, reason, hint),
    error,
    el('div', { class: 'form-actions' }, save, cancel),
  );
  const dialog = el('dialog', { class: 'correction', 'aria-labelledby': 'correction-heading' }, form);
  document.body.append(dialog);

  let rows: readonly RosterRow[] = [];
  let busy = false;
  let problem: { key: Key } | { failure: unknown } | undefined; // kept as such, so it follows a change of language

  function render(): void {
    const [row] = rows;
    if (!row) return;
    heading.textContent = rows.length === 1 ? i18n.t('correction.heading', { name: row.studentName }) : i18n.t('correction.headingMany', { count: rows.length });
    legend.textContent = i18n.t('correction.choice');
    choices.forEach((choice, i) => (radioLabels[i]!.textContent = i18n.t(`correction.${choice}`)));
    reasonLabel.textContent = i18n.t('correction.reason');
    hint.textContent = i18n.t('correction.reasonHint');
    save.textContent = i18n.t(busy ? 'correction.saving' : 'correction.save');
    save.disabled = busy;
    cancel.textContent = i18n.t('correction.cancel');
    error.hidden = !problem;
    error.textContent = problem ? ('key' in problem ? i18n.t(problem.key) : errorText(problem.failure, i18n)) : '';
  }

  function markReason(invalid: boolean): void {
    if (invalid) reason.setAttribute('aria-invalid', 'true');
    else reason.removeAttribute('aria-invalid');
  }

  async function submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (rows.length === 0 || busy) return;
    const choice = (radios.find((radio) => radio.checked)?.value ?? 'excused') as CorrectionChoice;
    const text = reason.value.trim();
    if (text.length < reasonMin) {
      problem = { key: 'correction.reasonShort' };
      markReason(true);
      render();
      reason.focus();
      return;
    }
    busy = true;
    problem = undefined;
    markReason(false);
    render();
    try {
      if (rows.length === 1) {
        const result = await deps.api.apiFetch<CorrectedResult>(`${deps.path}/students/${encodeURIComponent(rows[0]!.studentId)}/correction`, {
          method: 'POST',
          body: { status: choice, reason: text },
        });
        busy = false;
        deps.onCorrected(result, choice);
      } else {
        const { corrected } = await deps.api.apiFetch<{ corrected: CorrectedResult[] }>(`${deps.path}/corrections`, {
          method: 'POST',
          body: { studentIds: rows.map((r) => r.studentId), status: choice, reason: text },
        });
        busy = false;
        deps.onCorrectedMany(corrected, choice);
      }
      dialog.close();
    } catch (failure) {
      busy = false;
      problem = { failure };
      const aboutReason = failure instanceof ApiError && failure.details.some((detail) => detail.where.endsWith('/reason'));
      markReason(aboutReason);
      render();
      (aboutReason ? reason : save).focus();
    }
  }

  form.addEventListener('submit', (event) => void submit(event));
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    const closed = rows;
    rows = [];
    if (closed.length === 1) deps.onClosed(closed[0]!.studentId);
    else if (closed.length > 1) deps.onClosed(null);
  });
  reason.addEventListener('input', () => {
    if (!problem) return;
    problem = undefined;
    markReason(false);
    render();
  });
  i18n.onChange(render);

  const show = (next: readonly RosterRow[]): void => {
    rows = next;
    busy = false;
    problem = undefined;
    markReason(false);
    reason.value = '';
    const allowed = deps.allowed();
    const offered = radios.filter((radio) => allowed.includes(radio.value as CorrectionChoice));
    for (const radio of radios) radio.parentElement!.hidden = !offered.includes(radio);
    radios.forEach((radio) => (radio.checked = radio === offered[0]));
    render();
    dialog.showModal();
    offered[0]?.focus();
  };

  return { open: (row) => show([row]), openMany: (many) => show(many) };
}
