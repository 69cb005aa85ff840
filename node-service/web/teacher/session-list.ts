// "Mis sesiones": the teacher's sessions a page at a time, filtered by course and dates (in the
// institution's zone), and the forms to create one session or a weekly series.
import { basePath, type ApiClient } from '../src/lib/api';
import { clearMessage, el, required, showError, showMessage } from '../src/lib/ui';
import { createForm } from './create-form';
import type { Key, TeacherI18n } from './messages';
import { zonedIso } from '../src/lib/dates';
import { formatDate, formatTime, listQuery, type ListFilter, type Session, type SessionPage, type SkippedDate, type StaffedCourse } from './model';
import { seriesForm, type SeriesCreated, type SeriesForm } from './series-form';
import { showToday } from './today';
import { importPanel } from './timetable-import';

export function stateBadges(session: Session, i18n: TeacherI18n): HTMLElement[] {
  const badges = [el('span', { class: 'state-badge', 'data-state': session.state }, i18n.t(`state.${session.state}`))];
  if (session.state === 'open' && session.currentRound !== null) {
    badges.push(el('span', { class: 'state-badge', 'data-state': 'round' }, i18n.t('state.roundRunning', { round: session.currentRound })));
  }
  if (session.seriesId) badges.push(el('span', { class: 'state-badge session-item__series' }, i18n.t('list.series')));
  return badges;
}

export function whenText(session: Session, i18n: TeacherI18n, timeZone: string | undefined): string {
  return i18n.t('session.when', {
    date: formatDate(session.plannedStart, i18n.lang, timeZone),
    start: formatTime(session.plannedStart, i18n.lang, timeZone),
    end: formatTime(session.plannedEnd, i18n.lang, timeZone),
  });
}

/** The outcome of something done elsewhere, carried to the list in its address (`?deleted=1`). */
const flashes: Readonly<Record<string, Key>> = { deleted: 'list.deleted' };

export async function showSessionList({
  i18n,
  api,
  timeZone,
  maxOccurrences,
}: {
  i18n: TeacherI18n;
  api: ApiClient;
  timeZone: string | undefined;
  maxOccurrences: number | undefined;
}): Promise<void> {
  required('#list-view').hidden = false;
  const message = required('#list-message');
  const list = required('#sessions');
  const createSection = required('#create');
  const seriesSection = required('#series');
  const newButton = required<HTMLButtonElement>('#new-session');
  const newSeriesButton = required<HTMLButtonElement>('#new-series');
  const cancelButton = required<HTMLButtonElement>('#create-cancel');
  const filters = required<HTMLFormElement>('#list-filters');
  const courseFilter = required<HTMLSelectElement>('#l-course');
  const fromFilter = required<HTMLInputElement>('#l-from');
  const toFilter = required<HTMLInputElement>('#l-to');
  const orderFilter = required<HTMLSelectElement>('#l-order');
  const clearButton = required<HTMLButtonElement>('#l-clear');
  const rangeError = required('#l-range-error');
  const zoneNote = required('#l-zone');
  const moreButton = required<HTMLButtonElement>('#l-more');
  const shown = required('#l-shown');

  const form = createForm({ i18n, api, message, onCreated: (session) => location.assign(`?session=${session.id}`) });
  let series: SeriesForm | undefined;
  /** The series form, mounted from its template the first time it is asked for. */
  const seriesFormNow = (): SeriesForm => {
    if (!series) {
      seriesSection.append(required<HTMLTemplateElement>('#series-template').content.cloneNode(true));
      i18n.translate(seriesSection);
      series = seriesForm({ i18n, api, message, timeZone, maxOccurrences, onCreated: (created) => void onSeriesCreated(created) });
      required<HTMLButtonElement>('#series-cancel').addEventListener('click', () => {
        showForm(null);
        newSeriesButton.focus();
      });
      series.reset(plannable());
    }
    return series;
  };

  let courses: readonly StaffedCourse[] = [];
  /** The courses whose classes the viewer may plan (an assistant plans none): the forms offer only these. */
  const plannable = (): readonly StaffedCourse[] => courses.filter((c) => c.rights.includes('change_settings'));
  let sessions: Session[] = [];
  let nextCursor: string | null = null;
  let loaded = false;
  let latestRequest = 0;
  // The last outcome shown, kept as a key so that it follows a change of language.
  let outcome: { readonly key: Key; readonly vars?: () => Record<string, string | number>; readonly more?: () => string } | undefined;

  const showOutcome = (): void => {
    if (outcome) showMessage(message, 'success', [i18n.t(outcome.key, outcome.vars?.()), outcome.more?.() ?? ''].join(' ').trim());
  };
  /** "Fechas omitidas: vie, 26 mar 2027 (feriado: Viernes Santo); …": what a series left out, and why. */
  const skippedText = (skipped: readonly SkippedDate[]): string => {
    if (skipped.length === 0) return '';
    const dated = (s: SkippedDate) => formatDate(zonedIso(s.date, '12:00', timeZone) ?? s.date, i18n.lang, timeZone);
    const list = skipped.map((s) =>
      s.reason === 'holiday' ? i18n.t('series.skippedHoliday', { date: dated(s), name: s.name }) : i18n.t('series.skippedRecess', { date: dated(s), name: s.name ? `: ${s.name}` : '' }),
    );
    return i18n.t('series.skipped', { list: list.join('; ') });
  };

  const showForm = (which: 'session' | 'series' | null): void => {
    createSection.hidden = which !== 'session';
    seriesSection.hidden = which !== 'series';
    newButton.hidden = which !== null || plannable().length === 0;
    newSeriesButton.hidden = which !== null || plannable().length === 0;
  };

  const filter = (): ListFilter => ({
    courseId: courseFilter.value,
    from: fromFilter.value,
    to: toFilter.value,
    order: orderFilter.value === 'asc' ? 'asc' : 'desc',
  });
  const filtered = (): boolean => {
    const f = filter();
    return f.courseId !== '' || f.from !== '' || f.to !== '' || f.order !== 'desc';
  };

  function renderList(): void {
    if (!loaded) return;
    list.removeAttribute('aria-busy');
    const empty = el('li', { class: 'muted' }, i18n.t(filtered() ? 'list.noMatch' : 'teacher.none'));
    list.replaceChildren(...(sessions.length ? sessions.map(sessionItem) : [empty]));
    moreButton.hidden = nextCursor === null;
    shown.textContent = sessions.length ? i18n.t('list.shown', { count: sessions.length }) : '';
    clearButton.hidden = !filtered();
    zoneNote.textContent = i18n.t('list.zone', { zone: timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone });
    const invalidRange = filter().from !== '' && filter().to !== '' && filter().to < filter().from;
    rangeError.textContent = invalidRange ? i18n.t('list.rangeInvalid') : '';
    rangeError.hidden = !invalidRange;
  }

  function sessionItem(session: Session): HTMLLIElement {
    return el(
      'li',
      { class: 'session-item', 'data-session': session.id },
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

  /** The first page for the filters (or, with `more`, the next one). A newer request wins over an older one. */
  async function load(more = false): Promise<void> {
    const f = filter();
    if (f.from && f.to && f.to < f.from) {
      renderList();
      return;
    }
    const request = ++latestRequest;
    moreButton.disabled = true;
    try {
      const page = await api.apiFetch<SessionPage>(listQuery(f, more ? nextCursor : null));
      if (request !== latestRequest) return;
      sessions = more ? [...sessions, ...page.sessions] : [...page.sessions];
      nextCursor = page.nextCursor;
      loaded = true;
      renderList();
    } catch (error) {
      if (request === latestRequest) showError(message, error, i18n);
      throw error;
    } finally {
      moreButton.disabled = false;
    }
  }

  async function onSeriesCreated(created: SeriesCreated): Promise<void> {
    const first = created.sessions[0];
    const last = created.sessions.at(-1);
    outcome = {
      key: 'series.created',
      vars: () => ({
        count: created.sessions.length,
        first: first ? formatDate(first.plannedStart, i18n.lang, timeZone) : '',
        last: last ? formatDate(last.plannedStart, i18n.lang, timeZone) : '',
      }),
      more: () => skippedText(created.skipped),
    };
    showForm(null);
    showOutcome();
    await load().catch(() => undefined);
    newSeriesButton.focus();
  }

  newButton.addEventListener('click', () => {
    cancelButton.hidden = false;
    showForm('session');
    form.focus();
  });
  newSeriesButton.addEventListener('click', () => {
    clearMessage(message);
    outcome = undefined;
    const form = seriesFormNow();
    showForm('series');
    form.focus();
  });
  cancelButton.addEventListener('click', () => {
    showForm(null);
    newButton.focus();
  });
  filters.addEventListener('submit', (event) => event.preventDefault());
  filters.addEventListener('change', () => void load().catch(() => undefined));
  clearButton.addEventListener('click', () => {
    filters.reset();
    void load().catch(() => undefined);
    courseFilter.focus();
  });
  moreButton.addEventListener('click', () => {
    const before = sessions.length;
    void load(true)
      .then(() => list.querySelectorAll<HTMLAnchorElement>('.session-item__link')[before]?.focus())
      .catch(() => undefined);
  });
  i18n.onChange(() => {
    renderList();
    showOutcome();
  });

  const flash = new URLSearchParams(location.search);
  for (const [name, key] of Object.entries(flashes)) {
    if (flash.has(name)) {
      outcome = { key };
      showOutcome();
      history.replaceState(null, '', location.pathname);
    }
  }
  // "Eliminar esta y las siguientes": how many went, and how many stayed because they ran.
  const seriesDeleted = flash.get('seriesDeleted');
  if (seriesDeleted !== null && /^\d+$/.test(seriesDeleted)) {
    const kept = Number(/^\d+$/.test(flash.get('kept') ?? '') ? flash.get('kept') : 0);
    outcome = { key: 'delete.seriesDone', vars: () => ({ deleted: Number(seriesDeleted) }), more: () => (kept > 0 ? i18n.t('edit.seriesKept', { kept }) : '') };
    showOutcome();
    history.replaceState(null, '', location.pathname);
  }
  importPanel({ i18n, api, message, timeZone, courses: plannable, onImported: (count) => {
    outcome = { key: 'import.done', vars: () => ({ count }) };
    showOutcome();
    void load().catch(() => undefined);
  } });

  const coursesRequest = api.apiFetch<{ courses: StaffedCourse[] }>(`${basePath}api/teacher/courses`);
  const [coursesResult, sessionsResult] = await Promise.allSettled([
    coursesRequest,
    load(),
    // "Hoy" first on the page; without it the list below still works. It names the viewer's role in each course.
    showToday({ i18n, api, timeZone, message, courses: coursesRequest.then((r) => r.courses).catch(() => []) }).catch((error: unknown) => showError(message, error, i18n)),
  ]);
  courses = coursesResult.status === 'fulfilled' ? coursesResult.value.courses : [];
  courseFilter.append(...courses.map((c) => el('option', { value: c.id }, c.name)));
  renderCourses(courses, i18n);

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
  if (plannable().length === 0) {
    // An assistant in every course: nothing to plan here, so no planning button (the API would refuse it).
    showForm(null);
    const explain = (): void => showMessage(message, 'info', i18n.t('teacher.assistantOnly'));
    explain();
    i18n.onChange(explain);
    return;
  }
  required('#new-import').hidden = false;
  form.reset(plannable());
  // With no session yet, creating one is the only thing to do here: show the form at once.
  cancelButton.hidden = sessions.length === 0;
  showForm(sessions.length === 0 ? 'session' : null);
  // Until there is a session, "new weekly series" stays offered beside the open form.
  if (sessions.length === 0) newSeriesButton.hidden = false;
}

/** "Docente", "Co-docente", "Ayudante": the viewer's role in a course, as a badge. */
export function roleBadge(course: StaffedCourse | undefined, i18n: TeacherI18n): HTMLElement[] {
  return course ? [el('span', { class: 'state-badge course-role', 'data-role': course.role }, i18n.t(`role.${course.role}`))] : [];
}

/** "Mis cursos": a link to each course's page (minimum, students at risk, attendance per class), with the viewer's role. */
function renderCourses(courses: readonly StaffedCourse[], i18n: TeacherI18n): void {
  const render = (): void => {
    required('#course-links').replaceChildren(
      ...courses.map((course) =>
        el(
          'li',
          { class: 'session-item', 'data-course': course.id },
          el(
            'a',
            { class: 'session-item__link', href: `?course=${encodeURIComponent(course.id)}` },
            el('strong', {}, course.name),
            ` · ${i18n.t(course.rights.includes('decide_justifications') ? 'course.link' : 'course.linkAssistant')}`,
          ),
          el('span', { class: 'session-item__state' }, ...roleBadge(course, i18n)),
        ),
      ),
    );
  };
  required('#my-courses').hidden = courses.length === 0;
  render();
  i18n.onChange(render);
}
