// "Descargar CSV / Excel" of the session and of its whole course. The exports need the portal token, so a
// plain link cannot fetch them: the file is fetched with the token, then handed to the browser as a
// download under the name the service gives it (Content-Disposition).
import { apiErrorFrom, basePath, networkError, type ApiClient } from '../src/lib/api';
import { el, showError, showMessage } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import type { Session } from './model';

type ExportFormat = 'csv' | 'xlsx';

/** The file name of a Content-Disposition header (`filename*=UTF-8''…` preferred over `filename="…"`). */
function filenameFrom(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(disposition)?.[1] ?? /filename\s*=\s*([^;]+)/i.exec(disposition)?.[1];
  return plain?.trim() || null;
}

async function fetchFile(api: Pick<ApiClient, 'getToken' | 'forgetToken'>, i18n: TeacherI18n, path: string): Promise<Response> {
  const send = async (): Promise<Response> => {
    const token = await api.getToken();
    try {
      return await fetch(path, { headers: { Authorization: `Bearer ${token}`, 'Accept-Language': i18n.lang }, cache: 'no-store' });
    } catch {
      throw networkError(i18n);
    }
  };
  let response = await send();
  if (response.status === 401) {
    api.forgetToken(); // revoked or expired early: one more try with a fresh token, as the API client does
    response = await send();
  }
  if (!response.ok) throw await apiErrorFrom(response, i18n);
  return response;
}

/** Fetches the export and saves it; resolves with the file's name. */
export async function download(api: Pick<ApiClient, 'getToken' | 'forgetToken'>, i18n: TeacherI18n, path: string, fallbackName: string): Promise<string> {
  const response = await fetchFile(api, i18n, path);
  const name = filenameFrom(response.headers.get('content-disposition')) ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/** The export card of a session view: two buttons for the session, two for the course. */
export function exportPanel(deps: { i18n: TeacherI18n; api: Pick<ApiClient, 'getToken' | 'forgetToken'>; message: HTMLElement }): {
  element: HTMLElement;
  render(session: Session): void;
} {
  const { i18n } = deps;
  const heading = el('h2', { id: 'export-heading' });
  const hint = el('p', { class: 'muted export__hint' });
  const groups = el('div', { class: 'export__groups' });
  const element = el('section', { class: 'card export', 'aria-labelledby': 'export-heading' }, heading, groups, hint);
  let busy = false;
  let key = '';

  // Each pair sits in a group named after what it exports ("Esta sesión", "Todas las sesiones de …").
  const button = (format: ExportFormat, path: string, fallback: string): HTMLButtonElement => {
    const b = el('button', { type: 'button', class: 'button button--secondary', 'data-export': format }, i18n.t(format === 'csv' ? 'export.csv' : 'export.xlsx'));
    b.addEventListener('click', () => void save(b, `${path}?format=${format}`, `${fallback}.${format}`));
    return b;
  };

  async function save(b: HTMLButtonElement, path: string, fallback: string): Promise<void> {
    if (busy) return;
    busy = true;
    const label = b.textContent;
    b.textContent = i18n.t('export.working');
    b.setAttribute('aria-busy', 'true');
    try {
      const file = await download(deps.api, i18n, path, fallback);
      showMessage(deps.message, 'success', i18n.t('export.done', { file }));
    } catch (error) {
      showError(deps.message, error, i18n);
    } finally {
      busy = false;
      b.textContent = label;
      b.removeAttribute('aria-busy');
    }
  }

  return {
    element,
    render(session) {
      element.hidden = session.state === 'scheduled';
      const next = `${i18n.lang}|${session.id}|${session.courseName}`;
      if (next === key) return; // rebuilt only when its words change: the live refresh must not steal the focus
      key = next;
      heading.textContent = i18n.t('export.heading');
      hint.textContent = i18n.t('export.hint');
      const sessionPath = `${basePath}api/sessions/${encodeURIComponent(session.id)}/export`;
      const coursePath = `${basePath}api/courses/${encodeURIComponent(session.courseId)}/export`;
      const sessionWhat = i18n.t('export.session');
      const courseWhat = i18n.t('export.course', { course: session.courseName });
      const group = (title: string, ...buttons: HTMLButtonElement[]): HTMLElement =>
        el('div', { class: 'export__group', role: 'group', 'aria-label': title }, el('h3', { class: 'export__title' }, title), el('div', { class: 'form-actions' }, ...buttons));
      groups.replaceChildren(
        group(sessionWhat, button('csv', sessionPath, 'asistencia'), button('xlsx', sessionPath, 'asistencia')),
        group(courseWhat, button('csv', coursePath, `asistencia-${session.courseId}`), button('xlsx', coursePath, `asistencia-${session.courseId}`)),
      );
    },
  };
}
