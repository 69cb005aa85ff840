// "Hoy": the teacher's first screen leads with today's classes (in the institution's zone) and the next one,
// each with the one button that gets the class going: open it, start round 1 and project, in one click.
import { basePath, type ApiClient } from '../src/lib/api';
import { addDays, localDateOf } from '../src/lib/dates';
import { el, required, showError } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import { listQuery, sessionsPath, type Session, type SessionPage, type StaffedCourse } from './model';
import { roleBadge, stateBadges, whenText } from './session-list';

const projectorHref = (session: Session): string => `${basePath}projector/?session=${encodeURIComponent(session.id)}`;

/** What the one button does for a class in this state (null: nothing left to start). */
function nextStep(session: Session): { steps: Array<'open' | 'rounds'>; round: number } | null {
  if (session.state === 'closed') return null;
  if (session.state === 'scheduled') return { steps: ['open', 'rounds'], round: 1 };
  if (session.currentRound !== null) return { steps: [], round: session.currentRound };
  if (session.roundsStarted >= session.roundsPlanned) return null;
  return { steps: ['rounds'], round: session.roundsStarted + 1 };
}

export async function showToday(deps: {
  i18n: TeacherI18n;
  api: ApiClient;
  timeZone: string | undefined;
  message: HTMLElement;
  /** The viewer's courses with their role in each ("Docente", "Co-docente", "Ayudante"). */
  courses: Promise<readonly StaffedCourse[]>;
}): Promise<void> {
  const { i18n, api, timeZone } = deps;
  const section = required('#today');
  const list = required('#today-list');
  const next = required('#today-next');
  const today = localDateOf(new Date(), timeZone);
  let busy = false;

  const all = { courseId: '', from: today, to: today, order: 'asc' as const };
  const [todayPage, laterPage] = await Promise.all([
    api.apiFetch<SessionPage>(listQuery(all)),
    api.apiFetch<SessionPage>(`${listQuery({ ...all, from: addDays(today, 1), to: '' })}&limit=1`),
  ]);
  const courses = new Map((await deps.courses).map((c) => [c.id, c]));
  const todays: readonly Session[] = todayPage.sessions;
  const upcoming: Session | undefined = laterPage.sessions[0];

  /** Opens the projector's window at once (inside the click, so no pop-up blocker stops it), then does the steps. */
  async function start(session: Session, button: HTMLButtonElement): Promise<void> {
    const step = nextStep(session);
    if (!step || busy) return;
    busy = true;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    const projector = window.open('', '_blank');
    try {
      for (const path of step.steps) await api.apiFetch(`${sessionsPath}/${encodeURIComponent(session.id)}/${path}`, { method: 'POST' });
      if (projector) projector.location.href = projectorHref(session);
      location.assign(`?session=${encodeURIComponent(session.id)}`);
      return;
    } catch (error) {
      projector?.close();
      showError(deps.message, error, i18n);
    }
    busy = false;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }

  function item(session: Session, withButton: boolean): HTMLLIElement {
    const course = courses.get(session.courseId);
    // The one button opens, runs rounds and projects: offered only to whoever may do all three here.
    const runs = course === undefined || (course.rights.includes('run_classes') && course.rights.includes('project'));
    const step = withButton && runs ? nextStep(session) : null;
    const actions: HTMLElement[] = [];
    if (step) {
      const label =
        step.steps.length === 2
          ? i18n.t('today.openAndProject')
          : step.steps.length === 1
            ? i18n.t('today.roundAndProject', { round: step.round })
            : i18n.t('today.project');
      const button = el('button', { type: 'button', class: 'button', 'data-today': session.id }, label);
      button.addEventListener('click', () => void start(session, button));
      actions.push(button);
    }
    return el(
      'li',
      { class: 'session-item today__item', 'data-session': session.id },
      el('a', { class: 'session-item__link', href: `?session=${encodeURIComponent(session.id)}` }, el('strong', {}, session.courseName), ` · ${session.room}`),
      el('span', { class: 'session-item__when muted' }, whenText(session, i18n, timeZone)),
      el('span', { class: 'session-item__state' }, ...stateBadges(session, i18n), ...roleBadge(course, i18n)),
      ...(actions.length ? [el('span', { class: 'form-actions today__actions' }, ...actions)] : []),
    );
  }

  function render(): void {
    section.hidden = false;
    list.replaceChildren(...(todays.length ? todays.map((s) => item(s, true)) : [el('li', { class: 'muted' }, i18n.t('today.none'))]));
    next.hidden = upcoming === undefined;
    next.replaceChildren(
      ...(upcoming
        ? [
            `${i18n.t('today.next')} `,
            el('a', { href: `?session=${encodeURIComponent(upcoming.id)}` }, `${upcoming.courseName} · ${upcoming.room}`),
            `, ${whenText(upcoming, i18n, timeZone)}`,
          ]
        : []),
    );
  }

  render();
  i18n.onChange(render);
}
