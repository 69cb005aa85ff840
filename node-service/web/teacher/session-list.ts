// "Mis sesiones": the teacher's sessions, newest first, and the form to create one.
import { basePath, type ApiClient } from '../src/lib/api';
import { el, required, showError, showMessage } from '../src/lib/ui';
import { createForm } from './create-form';
import type { TeacherI18n } from './messages';
import { formatDate, formatTime, sessionsPath, type Course, type Session } from './model';

export function stateBadges(session: Session, i18n: TeacherI18n): HTMLElement[] {
  const badges = [el('span', { class: 'state-badge', 'data-state': session.state }, i18n.t(`state.${session.state}`))];
  if (session.state === 'open' && session.currentRound !== null) {
    badges.push(el('span', { class: 'state-badge', 'data-state': 'round' }, i18n.t('state.roundRunning', { round: session.currentRound })));
  }
  return badges;
}

export function whenText(session: Session, i18n: TeacherI18n, timeZone: string | undefined): string {
  return i18n.t('session.when', {
    date: formatDate(session.plannedStart, i18n.lang, timeZone),
    start: formatTime(session.plannedStart, i18n.lang, timeZone),
    end: formatTime(session.plannedEnd, i18n.lang, timeZone),
  });
}

export async function showSessionList({ i18n, api, timeZone }: { i18n: TeacherI18n; api: ApiClient; timeZone: string | undefined }): Promise<void> {
  required('#list-view').hidden = false;
  const message = required('#list-message');
  const list = required('#sessions');
  const createSection = required('#create');
  const newButton = required<HTMLButtonElement>('#new-session');
  const cancelButton = required<HTMLButtonElement>('#create-cancel');
  const form = createForm({ i18n, api, message, onCreated: (session) => location.assign(`?session=${session.id}`) });

  let courses: readonly Course[] = [];

  const showForm = (visible: boolean): void => {
    createSection.hidden = !visible;
    newButton.hidden = visible || courses.length === 0;
  };

  function renderList(sessions: readonly Session[]): void {
    list.removeAttribute('aria-busy');
    list.replaceChildren(...(sessions.length ? sessions.map(sessionItem) : [el('li', { class: 'muted' }, i18n.t('teacher.none'))]));
  }

  function sessionItem(session: Session): HTMLLIElement {
    return el(
      'li',
      { class: 'session-item' },
      el(
        'a',
        { class: 'session-item__link', href: `?session=${encodeURIComponent(session.id)}` },
        el('strong', {}, session.courseName),
        ` · ${session.room}`,
      ),
      el('span', { class: 'session-item__when muted' }, whenText(session, i18n, timeZone)),
      el('span', { class: 'session-item__state' }, ...stateBadges(session, i18n)),
    );
  }

  newButton.addEventListener('click', () => {
    showForm(true);
    form.focus();
  });
  cancelButton.addEventListener('click', () => {
    showForm(false);
    newButton.focus();
  });
  const [coursesResult, sessionsResult] = await Promise.allSettled([
    api.apiFetch<{ courses: Course[] }>(`${basePath}api/teacher/courses`),
    api.apiFetch<{ sessions: Session[] }>(sessionsPath),
  ]);
  courses = coursesResult.status === 'fulfilled' ? coursesResult.value.courses : [];
  const sessions = sessionsResult.status === 'fulfilled' ? sessionsResult.value.sessions : [];
  renderList(sessions);
  i18n.onChange(() => renderList(sessions));

  const failure = [coursesResult, sessionsResult].find((result) => result.status === 'rejected');
  if (failure) {
    showError(message, failure.reason, i18n);
    return;
  }
  if (courses.length === 0) {
    const explain = (): void => showMessage(message, 'info', i18n.t('teacher.noCourses'));
    explain();
    i18n.onChange(explain);
    return;
  }
  form.reset(courses);
  // With no session yet, creating one is the only thing to do here: show the form at once.
  cancelButton.hidden = sessions.length === 0;
  showForm(sessions.length === 0);
}
