// The course's grade policy ("Política de nota"): how attendance becomes the grade shown beside every student,
// in the exports, on the students' own pages and sent to the LMS. Built once (typing survives a re-render);
// its words refreshed on render. The minimum to pass is the course minimum, set in its own card.
import { clearMessage, el, errorText, showMessage } from '../src/lib/ui';
import { policyName, type GradePolicy } from '../src/lib/grade';
import type { ApiClient } from '../src/lib/api';
import type { TeacherI18n } from './messages';
import { percentText, type CourseMinimum } from './model';

type Basis = GradePolicy['basis'];

/** A number field of the form, with its label and hint. */
function numberField(id: string, attributes: { min: string; max: string; step: string }) {
  const label = el('label', { for: id });
  const hint = el('p', { id: `${id}-hint`, class: 'form-field__hint' });
  const input = el('input', { id, type: 'number', inputmode: 'decimal', ...attributes, 'aria-describedby': `${id}-hint grade-policy-error` });
  return { label, hint, input, element: el('div', { class: 'form-field form-field--narrow' }, label, input, hint) };
}

const within = (value: number, max: number, places: number) =>
  Number.isFinite(value) && value >= 0 && value <= max && Math.abs(value * 10 ** places - Math.round(value * 10 ** places)) < 1e-9;

export function gradePolicyCard({ i18n, api, path, message, onSaved }: { i18n: TeacherI18n; api: ApiClient; path: string; message: HTMLElement; onSaved: () => Promise<void> }) {
  let current: GradePolicy | undefined;
  const heading = el('h2', { id: 'grade-policy-heading' });
  const now = el('p', { class: 'course-minimum__now', id: 'grade-policy-now' });
  const passLine = el('p', { class: 'muted', id: 'grade-policy-pass' });
  const basisLegend = el('legend', {});
  const bases = (['to_date', 'all_scheduled'] as const).map((basis) => {
    const input = el('input', { type: 'radio', name: 'grade-basis', id: `grade-basis-${basis}`, value: basis });
    const label = el('label', { for: `grade-basis-${basis}` });
    return { basis, input, label, element: el('div', { class: 'form-field form-field--check' }, input, label) };
  });
  const drop = numberField('grade-drop', { min: '0', max: '50', step: '1' });
  const late = numberField('grade-late', { min: '0', max: '1', step: '0.05' });
  const partial = numberField('grade-partial', { min: '0', max: '1', step: '0.05' });
  const penalty = numberField('grade-penalty', { min: '0', max: '100', step: '0.5' });
  const reasonLabel = el('label', { for: 'grade-policy-reason' });
  const reason = el('input', { id: 'grade-policy-reason', type: 'text', maxlength: '500', autocomplete: 'off', 'aria-describedby': 'grade-policy-error' });
  const error = el('p', { id: 'grade-policy-error', class: 'form-field__error', hidden: true });
  const save = el('button', { type: 'submit', class: 'button' });
  const form = el(
    'form',
    { class: 'session-form', novalidate: true },
    el('fieldset', { class: 'correction__choices' }, basisLegend, ...bases.map((b) => b.element)),
    el('div', { class: 'form-row' }, drop.element, late.element, partial.element, penalty.element),
    el('div', { class: 'form-field' }, reasonLabel, reason),
    error,
    el('div', { class: 'form-actions' }, save),
  );
  const element = el('section', { class: 'card', 'aria-labelledby': 'grade-policy-heading' }, heading, now, passLine, form);

  /** Fills the fields with the policy in force, unless the teacher is editing them. */
  function fill(policy: GradePolicy): void {
    if (current && form.contains(document.activeElement)) return;
    for (const b of bases) b.input.checked = b.basis === policy.basis;
    drop.input.value = String(policy.dropLowest);
    late.input.value = String(policy.points.late);
    partial.input.value = String(policy.points.partial);
    penalty.input.value = String(policy.absencePenalty);
  }

  function render(policy: GradePolicy, minimum: CourseMinimum): void {
    heading.textContent = i18n.t('policy.heading');
    now.textContent = i18n.t(policy.source === 'course' ? 'policy.now.course' : 'policy.now.default', { policy: policyName(policy, i18n.lang) });
    passLine.textContent = i18n.t('policy.pass', { minimum: percentText(minimum.percent / 100, i18n.lang) });
    basisLegend.textContent = i18n.t('policy.basis');
    for (const b of bases) b.label.textContent = i18n.t(`policy.basis.${b.basis}`);
    drop.label.textContent = i18n.t('policy.drop');
    drop.hint.textContent = i18n.t('policy.dropHint');
    late.label.textContent = i18n.t('policy.late');
    late.hint.textContent = i18n.t('policy.pointsHint');
    partial.label.textContent = i18n.t('policy.partial');
    partial.hint.textContent = i18n.t('policy.pointsHint');
    penalty.label.textContent = i18n.t('policy.penalty');
    penalty.hint.textContent = i18n.t('policy.penaltyHint');
    reasonLabel.textContent = i18n.t('correction.reason');
    save.textContent = i18n.t('policy.save');
    fill(policy);
    current = policy;
  }

  /** What is wrong with the form, and the field to go back to; null when it can be sent. */
  function problem(values: { dropLowest: number; late: number; partial: number; absencePenalty: number; reason: string }): [string, HTMLInputElement] | null {
    if (!Number.isInteger(values.dropLowest) || !within(values.dropLowest, 50, 0)) return [i18n.t('policy.invalidDrop'), drop.input];
    if (!within(values.late, 1, 2)) return [i18n.t('policy.invalidPoints'), late.input];
    if (!within(values.partial, 1, 2)) return [i18n.t('policy.invalidPoints'), partial.input];
    if (!within(values.absencePenalty, 100, 1)) return [i18n.t('policy.invalidPenalty'), penalty.input];
    if (values.reason.length < 3) return [i18n.t('correction.reasonShort'), reason];
    return null;
  }

  async function submit(): Promise<void> {
    clearMessage(message);
    const number = (input: HTMLInputElement) => (input.value.trim() === '' ? Number.NaN : Number(input.value));
    const basis: Basis = bases.find((b) => b.input.checked)?.basis ?? 'to_date';
    const values = { dropLowest: number(drop.input), late: number(late.input), partial: number(partial.input), absencePenalty: number(penalty.input), reason: reason.value.trim() };
    const wrong = problem(values);
    error.textContent = wrong?.[0] ?? '';
    error.hidden = wrong === null;
    for (const field of [drop, late, partial, penalty]) field.input.setAttribute('aria-invalid', String(wrong?.[1] === field.input));
    if (wrong) {
      wrong[1].focus();
      return;
    }
    save.disabled = true;
    try {
      const body = { basis, dropLowest: values.dropLowest, points: { late: values.late, partial: values.partial }, absencePenalty: values.absencePenalty, reason: values.reason };
      const saved = await api.apiFetch<GradePolicy>(`${path}/grade-policy`, { method: 'PUT', body });
      reason.value = '';
      (document.activeElement as HTMLElement | null)?.blur();
      await onSaved();
      showMessage(message, 'success', i18n.t('policy.saved', { policy: policyName(saved, i18n.lang) }));
    } catch (failure) {
      showMessage(message, 'error', errorText(failure, i18n));
    } finally {
      save.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  return { element, render };
}
