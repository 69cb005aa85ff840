// "Mi calendario" (teachers and students): secret iCalendar feed addresses, one per course, made, replaced
// or turned off here (docs/api.md, "Calendar feeds"). An address is shown only when made: it is kept hashed.
import { basePath, type Identity } from '../src/lib/api';
import { formatDateTime } from '../src/lib/dates';
import { startPage } from '../src/lib/page';
import { el, errorText, required, showMessage } from '../src/lib/ui';
import { messages } from './messages';

interface Course {
  id: string;
  name: string;
}
interface Status {
  active: boolean;
  createdAt: string | null;
  courses: Course[];
}
interface Made {
  createdAt: string;
  feeds: Array<{ course: Course; url: string }>;
}

const { i18n, api } = startPage(messages);
const message = required('#message');
const statusLine = required('#feed-status');
const feedsBody = required('#feeds');
const create = required<HTMLButtonElement>('#create');
const revoke = required<HTMLButtonElement>('#revoke');

let me: Identity | undefined;
let status: Status | undefined;
let made: Made | undefined;
let timeZone: string | undefined;
let busy = false;

function render(): void {
  if (!me || !status) return;
  statusLine.removeAttribute('aria-busy');
  if (me.role !== 'teacher' && me.role !== 'student') {
    statusLine.textContent = i18n.t('calendar.notAllowed', { role: i18n.t(`role.${me.role}`) });
    return;
  }
  statusLine.textContent = made
    ? i18n.t('calendar.created')
    : status.active && status.createdAt
      ? i18n.t('calendar.active', { at: formatDateTime(status.createdAt, i18n.lang, timeZone) })
      : i18n.t('calendar.none');
  feedsBody.replaceChildren(
    ...(made?.feeds ?? []).map(({ course, url }) => {
      const id = `feed-${course.id}`;
      const input = el('input', { id, type: 'text', readonly: true, value: url, class: 'feed-url', spellcheck: 'false' });
      input.addEventListener('focus', () => input.select());
      return el('p', {}, el('label', { for: id }, i18n.t('calendar.forCourse', { course: `${course.id} ${course.name}` })), el('br'), input);
    }),
  );
  if (status.courses.length === 0) feedsBody.append(el('p', { class: 'muted' }, i18n.t('calendar.noCourses')));
  create.textContent = status.active ? i18n.t('calendar.recreate') : i18n.t('calendar.create');
  create.hidden = status.courses.length === 0;
  revoke.textContent = i18n.t('calendar.revoke');
  revoke.hidden = !status.active;
}

async function act(work: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    await work();
  } catch (error) {
    showMessage(message, 'error', errorText(error, i18n));
  } finally {
    busy = false;
    render();
  }
}

create.addEventListener('click', () =>
  act(async () => {
    made = await api.apiFetch<Made>(`${basePath}api/me/calendar`, { method: 'POST', body: {} });
    status = { active: true, createdAt: made.createdAt, courses: made.feeds.map((f) => f.course) };
    message.hidden = true;
  }),
);

revoke.addEventListener('click', () =>
  act(async () => {
    await api.apiFetch(`${basePath}api/me/calendar`, { method: 'DELETE' });
    made = undefined;
    status = { ...status!, active: false, createdAt: null };
    showMessage(message, 'success', i18n.t('calendar.revoked'));
  }),
);

async function load(): Promise<void> {
  try {
    timeZone = (await api.config()).timeZone;
    me = await api.apiFetch<Identity>(`${basePath}api/me`);
    status = me.role === 'teacher' || me.role === 'student' ? await api.apiFetch<Status>(`${basePath}api/me/calendar`) : { active: false, createdAt: null, courses: [] };
    render();
  } catch (error) {
    statusLine.removeAttribute('aria-busy');
    statusLine.textContent = '';
    showMessage(message, 'error', errorText(error, i18n));
  }
}

i18n.onChange(render);
void load();
