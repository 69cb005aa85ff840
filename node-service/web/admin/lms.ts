// The LMSs that may open Asistencia by LTI 1.3 (docs/lms.md): the tool's addresses to copy into the LMS,
// the registered platforms (remove one), a form to register one by hand, a one-time link for Dynamic
// Registration, and the rotation of the tool's signing key.
import { basePath, type ApiClient } from '../src/lib/api';
import { clearMessage, el, required, showError, showMessage } from '../src/lib/ui';
import type { AdminI18n } from './messages';

interface Platform {
  readonly id: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly name: string;
  readonly registeredBy: 'manual' | 'dynamic';
  readonly deployments: readonly string[];
}

type ToolUrls = Readonly<Record<'login' | 'launch' | 'jwks' | 'register' | 'domain', string>>;

export async function lmsPanel(deps: { i18n: AdminI18n; api: Pick<ApiClient, 'apiFetch'>; message: HTMLElement }): Promise<void> {
  const { i18n, api, message } = deps;
  const path = `${basePath}api/admin/lti`;
  const list = required('#lms-list');
  const tool = required('#lms-tool');
  const form = required<HTMLFormElement>('#lms-form');
  const invitation = required('#lms-invitation');
  const field = (id: string) => required<HTMLInputElement>(`#lms-${id}`);
  let platforms: readonly Platform[] = [];
  let urls: ToolUrls | undefined;

  const render = (): void => {
    tool.replaceChildren(
      ...(urls
        ? (['login', 'launch', 'jwks'] as const).flatMap((k) => [el('dt', {}, i18n.t(`lms.url.${k}`)), el('dd', {}, el('code', {}, urls![k]))])
        : []),
    );
    list.replaceChildren(
      ...platforms.map((p) => {
        const remove = el('button', { type: 'button', class: 'button button--secondary button--danger' }, i18n.t('lms.remove', { name: p.name || p.issuer }));
        remove.addEventListener('click', () => void act(`${path}/platforms/${encodeURIComponent(p.id)}`, 'DELETE', () => i18n.t('lms.removed', { name: p.name || p.issuer })));
        const text = `${p.name || p.issuer} · ${p.issuer} · ${p.clientId} · ${p.deployments.join(', ') || '—'} · ${i18n.t(p.registeredBy === 'dynamic' ? 'lms.byDynamic' : 'lms.byHand')}`;
        return el('li', { class: 'holiday-list__item', 'data-platform': p.id }, el('span', {}, text), remove);
      }),
    );
  };
  const load = async (): Promise<void> => {
    [platforms, urls] = await Promise.all([
      api.apiFetch<{ platforms: Platform[] }>(`${path}/platforms`).then((a) => a.platforms),
      api.apiFetch<ToolUrls>(`${path}/tool`),
    ]);
    render();
  };

  async function act(url: string, method: string, done: () => string, body?: unknown): Promise<unknown> {
    clearMessage(message);
    try {
      const answer = await api.apiFetch(url, { method, ...(body === undefined ? {} : { body }) });
      await load();
      showMessage(message, 'success', done());
      return answer;
    } catch (error) {
      showError(message, error, i18n);
      return undefined;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {
      issuer: field('issuer').value.trim(),
      clientId: field('client').value.trim(),
      name: field('name').value.trim(),
      authUrl: field('auth').value.trim(),
      tokenUrl: field('token').value.trim(),
      jwksUrl: field('jwks').value.trim(),
      deployments: field('deployments').value.split(',').map((d) => d.trim()).filter(Boolean),
    };
    void act(`${path}/platforms`, 'POST', () => i18n.t('lms.added', { name: body.name || body.issuer }), body).then((answer) => {
      if (answer) form.reset();
    });
  });
  required('#lms-invite').addEventListener('click', () => {
    void act(`${path}/invitations`, 'POST', () => i18n.t('lms.invited'), {}).then((answer) => {
      const made = answer as { url: string } | undefined;
      if (!made) return;
      invitation.replaceChildren(el('code', {}, made.url));
      invitation.hidden = false;
    });
  });
  required('#lms-rotate').addEventListener('click', () => void act(`${path}/keys/rotate`, 'POST', () => i18n.t('lms.rotated'), {}));
  i18n.onChange(render);
  required('#lms').hidden = false;
  await load();
}
