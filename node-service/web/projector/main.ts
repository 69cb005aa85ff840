// Projector: the classroom screen of one session (?session=<id>). It shows the rotating QR code as large as
// the screen allows, a countdown to the next code, the round, the live count and, when enabled, the typed
// fallback code. Whenever it cannot vouch for the code on screen (socket down, frames late, round over) it
// hides the code and says why.
import { PageErrorCode } from '../../src/shared/contract';
import { defineMessages } from '../src/lib/i18n';
import { startPage } from '../src/lib/page';
import { required } from '../src/lib/ui';
import { backoffDelay, connectLive, type ErrorMessage, type LiveSocket, type LiveStatus } from '../src/lib/ws';
import {
  groupDigits,
  isFresh,
  receive,
  remainingShare,
  serverNow,
  svgNode,
  type LiveCount,
  type ProjectedSession,
  type ProjectorMessage,
  type QrFrame,
  type ReceivedFrame,
} from './frame';
import { qrMarkup } from './qr';

const messages = defineMessages(
  {
    'projector.title': 'Proyector · Asistencia',
    'projector.qrLabel': 'Código QR de asistencia: escanéalo con la cámara del teléfono',
    'projector.fallback': '¿Sin cámara? Entra a',
    'projector.fallbackType': 'y escribe este código:',
    'projector.guide': 'Escanea el código con la cámara de tu teléfono y confirma con tu huella o tu cara.',
    'projector.firstTime': '¿Primera vez? Al escanear, tu teléfono te guiará para registrar tu llave de acceso (solo se hace una vez).',
    'projector.fullscreen': 'Pantalla completa',
    'projector.exitFullscreen': 'Salir de pantalla completa',
    'projector.round': 'Ronda {round} de {planned}',
    'projector.rounds': 'Rondas: {started} de {planned}',
    'projector.count': '{confirmed} / {expected} presentes',
    'projector.expected': '{expected} en la lista',
    'projector.connecting': 'Conectando…',
    'projector.online': 'En línea',
    'projector.reconnecting': 'Reconectando…',
    'projector.waitingOpen': 'Esperando a que el docente abra la sesión',
    'projector.waitingRound': 'Esperando a que el docente inicie una ronda',
    'projector.closed': 'La sesión está cerrada',
    'projector.noSession': 'Falta la sesión que proyectar: ábrela desde «Mis sesiones».',
    'projector.notFound': 'La sesión de clase no existe.',
    'projector.notYours': 'Solo el docente de esta sesión puede proyectarla.',
    'projector.refused': 'El servicio no acepta tu sesión. Vuelve a iniciar sesión y abre de nuevo el proyector.',
  },
  {
    'projector.title': 'Projector · Asistencia',
    'projector.qrLabel': 'Attendance QR code: scan it with your phone camera',
    'projector.fallback': 'No camera? Go to',
    'projector.fallbackType': 'and type this code:',
    'projector.guide': "Scan the code with your phone's camera and confirm with your fingerprint or face.",
    'projector.firstTime': 'First time? When you scan, your phone will guide you to enrol your passkey (you only do it once).',
    'projector.fullscreen': 'Full screen',
    'projector.exitFullscreen': 'Exit full screen',
    'projector.round': 'Round {round} of {planned}',
    'projector.rounds': 'Rounds: {started} of {planned}',
    'projector.count': '{confirmed} / {expected} present',
    'projector.expected': '{expected} on the list',
    'projector.connecting': 'Connecting…',
    'projector.online': 'Online',
    'projector.reconnecting': 'Reconnecting…',
    'projector.waitingOpen': 'Waiting for the teacher to open the session',
    'projector.waitingRound': 'Waiting for the teacher to start a round',
    'projector.closed': 'The session is closed',
    'projector.noSession': 'No session to project: open one from “My sessions”.',
    'projector.notFound': 'The class session does not exist.',
    'projector.notYours': 'Only the teacher of this session can project it.',
    'projector.refused': 'The service does not accept your sign-in. Sign in again and reopen the projector.',
  },
);
type Key = keyof (typeof messages)['es'];

const { i18n, api } = startPage(messages);
const ui = {
  course: required('#course'),
  room: required('#room'),
  round: required('#round'),
  count: required('#count'),
  connection: required('#connection'),
  fullscreen: required<HTMLButtonElement>('#fullscreen'),
  code: required('#code'),
  qr: required('#qr'),
  countdown: required('#countdown'),
  fallback: required('#fallback'),
  fallbackCode: required('#fallback-code'),
  fallbackAddress: required('#fallback-address'),
  guide: required('#guide'),
  notice: required('#notice'),
};
ui.notice.removeAttribute('data-i18n');

// Errors of the subscription that no retry can fix, with this page's wording where it has one. Any other
// refusal (PostgreSQL or Valkey out, INTERNAL_ERROR, SERVICE_UNAVAILABLE) is retried with back-off on the
// same connection, showing "reconectando…", until a code arrives.
const subscribeRefusals: Readonly<Record<string, Key | null>> = {
  [PageErrorCode.sessionNotFound]: 'projector.notFound',
  [PageErrorCode.sessionNotYours]: 'projector.notYours',
  [PageErrorCode.authRoleForbidden]: 'projector.notYours',
  [PageErrorCode.wsMessageInvalid]: null,
};

const sessionId = new URLSearchParams(location.search).get('session') ?? '';
let connection: LiveStatus = 'connecting';
let everOnline = false;
let session: ProjectedSession | undefined;
let count: LiveCount | undefined;
let received: ReceivedFrame | undefined;
/** The next slot's frame, delivered ahead by the server: shown from its slotStartsAt on the server clock. */
let upcoming: ReceivedFrame | undefined;
/** Why nothing more will happen here: one of this page's messages, or the service's own words. */
let fatal: { readonly key: Key } | { readonly refusal: ErrorMessage } | undefined;
let shownUrl: string | undefined;
/** The codes drawn for the frames held, by URL: the upcoming one is drawn as it arrives, ahead of its slot. */
const drawn = new Map<string, SVGSVGElement | null>();
const drawing = new Set<string>();
let showingCode = false;
/** A refused subscribe waiting to be sent again: the page says it is reconnecting meanwhile. */
let retry: { attempt: number; timer: number | undefined } | undefined;

type Screen = { readonly kind: 'code' } | { readonly kind: 'notice'; readonly text: string };

/** What the screen should show now: the code only while everything vouches for it. */
function screen(now: number): Screen {
  const notice = (text: string): Screen => ({ kind: 'notice', text });
  if (fatal !== undefined) return notice('key' in fatal ? i18n.t(fatal.key) : (fatal.refusal.messages?.[i18n.lang] ?? fatal.refusal.message));
  if (connection !== 'online') return notice(i18n.t(everOnline ? 'projector.reconnecting' : 'projector.connecting'));
  if (retry) return notice(i18n.t('projector.reconnecting'));
  if (!session) return notice(i18n.t('status.loading'));
  if (session.state === 'closed') return notice(i18n.t('projector.closed'));
  if (session.state === 'scheduled') return notice(i18n.t('projector.waitingOpen'));
  if (session.currentRound === null) return notice(i18n.t('projector.waitingRound'));
  if (received && received.frame.round === session.currentRound && isFresh(received, now)) return { kind: 'code' };
  return notice(i18n.t(received ? 'projector.reconnecting' : 'status.loading'));
}

function render(): void {
  renderBar();
  const now = Date.now();
  const current = screen(now);
  showingCode = current.kind === 'code';
  ui.notice.hidden = showingCode;
  ui.notice.textContent = current.kind === 'notice' ? current.text : '';
  ui.notice.dataset['tone'] = fatal !== undefined ? 'error' : session?.state === 'closed' ? 'closed' : 'info';
  if (showingCode && received) showCode(received.frame);
  else hideCode();
  renderCountdown(now);
}

function renderBar(): void {
  ui.course.textContent = session?.courseName ?? '';
  ui.room.textContent = session?.room ?? '';
  document.title = session ? `${session.courseName} · ${session.room} · ${i18n.t('projector.title')}` : i18n.t('projector.title');
  ui.round.textContent = !session
    ? ''
    : session.currentRound !== null
      ? i18n.t('projector.round', { round: session.currentRound, planned: session.roundsPlanned })
      : i18n.t('projector.rounds', { started: session.roundsStarted, planned: session.roundsPlanned });
  ui.count.textContent = !count
    ? ''
    : count.round !== null && session?.state === 'open'
      ? i18n.t('projector.count', { confirmed: count.confirmed, expected: count.expected })
      : i18n.t('projector.expected', { expected: count.expected });
  ui.connection.textContent = fatal !== undefined ? '' : i18n.t(connectionKey());
  ui.connection.dataset['status'] = connection;
  ui.fullscreen.textContent = i18n.t(document.fullscreenElement ? 'projector.exitFullscreen' : 'projector.fullscreen');
}

function connectionKey(): Key {
  if (connection === 'online' && !retry) return 'projector.online';
  if (connection === 'online') return 'projector.reconnecting';
  return everOnline ? 'projector.reconnecting' : 'projector.connecting';
}

function showCode(frame: QrFrame): void {
  if (shownUrl !== frame.url) {
    const svg = drawn.get(frame.url);
    if (!svg) {
      // Still being drawn (shown when it is: draw() renders again), or not drawable: nothing rather than an old code.
      hideCode();
      draw(frame.url);
      return;
    }
    ui.qr.replaceChildren(svg);
    shownUrl = frame.url;
  }
  ui.code.hidden = false;
  ui.guide.hidden = false;
  ui.fallback.hidden = frame.fallbackCode === null;
  ui.fallbackCode.textContent = frame.fallbackCode === null ? '' : groupDigits(frame.fallbackCode);
  ui.fallbackAddress.replaceChildren(...(frame.fallbackCode === null ? [] : scanAddress(frame.url)));
}

function draw(url: string): void {
  if (drawn.has(url) || drawing.has(url)) return;
  drawing.add(url);
  void qrMarkup(url)
    .then(svgNode, () => null)
    .then((svg) => {
      drawing.delete(url);
      for (const held of drawn.keys()) if (held !== received?.frame.url && held !== upcoming?.frame.url) drawn.delete(held);
      drawn.set(url, svg);
      render();
    });
}

/**
 * Where to type the digits, as short as it can be typed: the scan page's host and path, no scheme; two
 * unbreakable pieces, so a narrow screen wraps it between host and path, not inside a word.
 */
function scanAddress(qrUrl: string): HTMLElement[] {
  const url = new URL(qrUrl);
  return [url.host, url.pathname.replace(/\/$/, '')].map((part) => {
    const piece = document.createElement('span');
    piece.className = 'projector-fallback__address-part';
    piece.textContent = part;
    return piece;
  });
}

/** Removes the code from the page (not just from view): a hidden code cannot be scanned or copied. */
function hideCode(): void {
  ui.code.hidden = true;
  ui.guide.hidden = true;
  ui.fallback.hidden = true;
  ui.qr.replaceChildren();
  ui.fallbackCode.textContent = '';
  shownUrl = undefined;
}

function renderCountdown(now: number): void {
  const share = showingCode && received ? remainingShare(received, now) : 0;
  ui.countdown.style.transform = `scaleX(${share.toFixed(4)})`;
}

/** Every animation frame: switch to a code whose slot has begun, move the countdown, re-render on change. */
function tick(): void {
  const now = Date.now();
  if (upcoming && serverNow(upcoming, now) >= upcoming.frame.slotStartsAt) {
    received = upcoming;
    upcoming = undefined;
    render();
  } else if ((screen(now).kind === 'code') !== showingCode) render();
  else renderCountdown(now);
  requestAnimationFrame(tick);
}

function onMessage(message: ProjectorMessage | ErrorMessage): void {
  switch (message.type) {
    case 'projector.state':
      if (message.session.id !== sessionId) return;
      session = message.session;
      count = message.count;
      // A session showing no code needs none to stop retrying; an open round waits for its first code.
      if (session.state !== 'open' || session.currentRound === null) stopRetrying();
      if (received && received.frame.round !== session.currentRound) received = undefined;
      if (upcoming && upcoming.frame.round !== session.currentRound) upcoming = undefined;
      break;
    case 'qr': {
      if (message.sessionId !== sessionId) return;
      stopRetrying();
      const now = Date.now();
      const frame = receive(message, now);
      if (serverNow(frame, now) < message.slotStartsAt) upcoming = frame;
      else received = frame;
      count = message.count;
      draw(message.url);
      break;
    }
    case 'count':
      if (message.sessionId !== sessionId) return;
      count = { round: message.round, confirmed: message.confirmed, expected: message.expected };
      break;
    case 'error': {
      if (message.inReplyTo !== 'projector.subscribe') return;
      if (!(message.code in subscribeRefusals)) {
        retrySubscribe();
        break;
      }
      const key = subscribeRefusals[message.code];
      fatal = key ? { key } : { refusal: message };
      stopRetrying();
      live?.close();
      break;
    }
    default:
      return;
  }
  render();
}

const subscribeMessage = { type: 'projector.subscribe', sessionId } as const;
/** Short: a classroom is waiting, and a refused subscribe costs the service one session read. */
const subscribeRetryTiming = { minBackoffMs: 500, maxBackoffMs: 3000 };
/**
 * A classroom waits on the projector: after an outage it must show a code within seconds of the service's
 * return, so its reconnections back off to 3 s at most instead of the library's 10 s. One socket per room
 * makes that a few hundred attempts every 3 s at worst, which the door absorbs.
 */
const projectorReconnectCeilingMs = 3000;

/** Sends the subscribe again after a back-off; a reconnection resends it anyway (it is kept). */
function retrySubscribe(): void {
  const attempt = retry ? retry.attempt + 1 : 0;
  window.clearTimeout(retry?.timer);
  const timer = window.setTimeout(() => live?.send(subscribeMessage), backoffDelay(attempt, subscribeRetryTiming));
  retry = { attempt, timer };
  received = undefined;
  upcoming = undefined;
}

function stopRetrying(): void {
  window.clearTimeout(retry?.timer);
  retry = undefined;
}

function onStatus(status: LiveStatus): void {
  connection = status;
  // A new connection sends the kept subscribe itself; a pending retry would only repeat it.
  if (status !== 'online') window.clearTimeout(retry?.timer);
  if (status === 'online') everOnline = true;
  if (status === 'refused') fatal = { key: 'projector.refused' };
  if (status !== 'online') {
    // After a gap, only a frame from the new connection counts.
    received = undefined;
    upcoming = undefined;
  }
  render();
}

function setUpFullscreen(): void {
  if (!document.fullscreenEnabled) return; // no button that cannot work
  ui.fullscreen.hidden = false;
  ui.fullscreen.addEventListener('click', () => {
    const change = document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen();
    change.catch(() => undefined); // refused by the browser: the button simply stays as it was
  });
  document.addEventListener('fullscreenchange', renderBar);
}

/** Keeps a laptop driving the projector from dimming or sleeping mid-class, where the browser allows it. */
function keepScreenAwake(): void {
  if (!('wakeLock' in navigator)) return;
  const request = (): void => {
    if (document.visibilityState === 'visible') navigator.wakeLock.request('screen').catch(() => undefined);
  };
  document.addEventListener('visibilitychange', request);
  request();
}

let live: LiveSocket | undefined;
i18n.onChange(render);
setUpFullscreen();
if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sessionId)) {
  keepScreenAwake();
  live = connectLive<ProjectorMessage>({ api, onMessage, onStatus, timing: { maxBackoffMs: projectorReconnectCeilingMs } });
  // Before subscribing, on every connection: this page draws the code, so the frames need not carry a picture.
  live.keep({ type: 'projector.draws' });
  live.keep(subscribeMessage);
} else {
  fatal = { key: 'projector.noSession' };
}
render();
requestAnimationFrame(tick);
