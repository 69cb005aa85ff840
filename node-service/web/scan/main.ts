// Scan page (phone first, no portal login). The QR opens /asistencia/scan/#<token>: the page at once trades
// the token for a passkey challenge, starts the passkey prompt (the button stays as the retry: some phones
// only prompt after a tap) and shows the outcome in one line. Without a token it asks for the typed code.
// A phone with no key of this student's is sent to enrol (or link) it, with the code kept for the return:
// back here, the page tries that code again, or asks for a fresh scan when it has changed meanwhile.
import { PageErrorCode, SCAN_ENROLL_CODES } from '../../src/shared/contract';
import { ApiError } from '../src/lib/api';
import type { Vars } from '../src/lib/i18n';
import { startPage } from '../src/lib/page';
import { existingPhoneKey, type PhoneKey } from '../src/lib/phone-key';
import { formatTime } from '../src/lib/dates';
import { errorText, required } from '../src/lib/ui';
import { messages, type Key } from './messages';
import { keepPendingCode, takePendingCode, type PendingCode } from './pending';
import { askChallenge, isToken, normaliseCode, PhoneFailure, sendConfirmation, signWithPasskey, type Confirmation, type Offer } from './scan';

// A failure is kept as such and worded at each render, so that it follows a change of language.
type Text = { readonly key: Key; readonly vars?: Vars } | { readonly failure: unknown };

type State =
  | { readonly kind: 'checking' }
  | { readonly kind: 'code'; readonly busy: boolean; readonly error?: Text; readonly resumed?: boolean }
  | { readonly kind: 'offer'; readonly offer: Offer; readonly step: 'idle' | 'prompting' | 'sending'; readonly failure?: PhoneFailure }
  | { readonly kind: 'done'; readonly confirmation: Confirmation; readonly at: Date }
  | { readonly kind: 'refused'; readonly title: Key; readonly detail?: Text; readonly enroll: boolean };

// Refusals after which the way forward is enrolling a passkey on this phone, or linking it again.
const enrollCodes = new Set(SCAN_ENROLL_CODES);

const { i18n, api } = startPage(messages);
const ui = {
  checking: required('#checking'),
  codeStep: required('#code-step'),
  codeHeading: required('#code-heading'),
  codeLead: required('#code-lead'),
  codeForm: required<HTMLFormElement>('#code-form'),
  codeInput: required<HTMLInputElement>('#code-input'),
  codeError: required('#code-error'),
  codeSubmit: required<HTMLButtonElement>('#code-submit'),
  offer: required('#offer'),
  course: required('#offer-course'),
  where: required('#offer-where'),
  confirm: required<HTMLButtonElement>('#confirm'),
  hint: required('#offer-hint'),
  offerError: required('#offer-error'),
  offerEnroll: required('#offer-enroll'),
  outcome: required('#outcome'),
  mark: required('#outcome-mark'),
  title: required('#outcome-title'),
  detail: required('#outcome-detail'),
  extra: required('#outcome-extra'),
  notice: required('#outcome-notice'),
  enrollLink: required('#outcome-link'),
  enrollButton: required<HTMLAnchorElement>('#outcome-link a'),
};

let state: State = { kind: 'checking' };
/**
 * After a first confirmation on this phone, once: the teacher may call any student who confirmed by name
 * ("Llamar al azar"), and a student who does not answer loses the confirmation.
 */
const spotCheckNoticeKey = 'asistencia.spot-check-notice';
/** The confirmation the notice goes with (shown again only when that outcome is drawn again, e.g. in English). */
let spotCheckNoticeFor: object | null = null;
/** The institution's zone (TIME_ZONE): the confirmation time is told in it, as on every page. */
let timeZone: string | undefined;
void api.config().then((config) => (timeZone = config.timeZone), () => undefined);
/** This phone's key (IndexedDB), read again at each attempt (site data may be cleared meanwhile). */
let phoneKey: PhoneKey | null = null;
// Each code opened starts a new attempt; answers still arriving for an older one are dropped.
let attempt = 0;
/**
 * Prompts the student started (by the button) and the phone refused, for the code on screen. Cancelling and
 * a deleted passkey look alike to the page; from the second refusal in a row it names the other causes.
 */
let refusedPrompts = 0;
/** The code being tried (scanned or typed): kept for the return when this phone must enrol first. */
let scanned: PendingCode | null = null;

function say(text: Text): string {
  return 'key' in text ? i18n.t(text.key, text.vars) : errorText(text.failure, i18n);
}

function render(): void {
  ui.checking.hidden = state.kind !== 'checking';
  ui.codeStep.hidden = state.kind !== 'code';
  ui.offer.hidden = state.kind !== 'offer';
  ui.outcome.hidden = state.kind !== 'done' && state.kind !== 'refused';
  if (state.kind === 'code') renderCode(state);
  if (state.kind === 'offer') renderOffer(state);
  if (state.kind === 'done') renderDone(state);
  if (state.kind === 'refused') renderRefused(state);
}

function renderCode(current: Extract<State, { kind: 'code' }>): void {
  ui.codeHeading.textContent = i18n.t(current.resumed ? 'code.rescanHeading' : 'code.heading');
  ui.codeLead.textContent = i18n.t(current.resumed ? 'code.rescanLead' : 'code.lead');
  ui.codeSubmit.disabled = current.busy;
  ui.codeSubmit.textContent = i18n.t(current.busy ? 'code.checking' : 'code.submit');
  ui.codeError.hidden = !current.error;
  ui.codeError.textContent = current.error ? say(current.error) : '';
  if (current.error) ui.codeInput.setAttribute('aria-invalid', 'true');
  else ui.codeInput.removeAttribute('aria-invalid');
}

function renderOffer(current: Extract<State, { kind: 'offer' }>): void {
  const { session } = current.offer;
  ui.course.textContent = session.courseName;
  ui.where.textContent = i18n.t('offer.where', { room: session.room, round: session.round });
  ui.confirm.disabled = current.step !== 'idle';
  ui.confirm.setAttribute('aria-busy', String(current.step !== 'idle'));
  ui.confirm.textContent = i18n.t(current.step === 'prompting' ? 'offer.prompting' : current.step === 'sending' ? 'offer.sending' : 'offer.confirm');
  ui.offerError.hidden = !current.failure;
  ui.offerError.textContent = current.failure ? i18n.t(current.failure.key, current.failure.vars) : '';
  ui.offerEnroll.hidden = !current.failure?.cancelled;
}

function renderDone({ confirmation, at }: Extract<State, { kind: 'done' }>): void {
  const time = formatTime(at, i18n.lang, timeZone, { seconds: true });
  ui.outcome.dataset['kind'] = confirmation.outcome === 'confirmed' ? 'success' : 'info';
  ui.mark.textContent = '✓';
  ui.title.textContent = i18n.t(confirmation.outcome === 'confirmed' ? 'outcome.confirmed' : 'outcome.already');
  ui.detail.textContent = i18n.t('outcome.detail', { round: confirmation.round, course: confirmation.session.courseName });
  ui.detail.hidden = false;
  ui.extra.textContent = [i18n.t('outcome.at', { room: confirmation.session.room, time }), ...(confirmation.walkIn ? [i18n.t('outcome.walkIn')] : [])].join(' · ');
  ui.extra.hidden = false;
  if (confirmation.outcome === 'confirmed' && spotCheckNoticeFor === null && readSetting(spotCheckNoticeKey) === null) {
    spotCheckNoticeFor = confirmation;
    writeSetting(spotCheckNoticeKey, new Date().toISOString());
  }
  const notice = spotCheckNoticeFor === confirmation;
  ui.notice.textContent = notice ? i18n.t('outcome.spotCheckNotice') : '';
  ui.notice.hidden = !notice;
  ui.enrollLink.hidden = true;
}

/** localStorage, which a private window or a full disk may refuse: then the notice simply shows again. */
function readSetting(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeSetting(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not remembered: shown again next time, which is harmless
  }
}

function renderRefused({ title, detail, enroll }: Extract<State, { kind: 'refused' }>): void {
  ui.outcome.dataset['kind'] = 'error';
  ui.mark.textContent = title === 'outcome.codeChanged' ? '↻' : '✕';
  ui.title.textContent = i18n.t(title);
  const text = title === 'outcome.noPhoneKey' ? i18n.t('outcome.noPhoneKeyDetail') : detail && say(detail);
  ui.detail.textContent = text ?? '';
  ui.detail.hidden = text === undefined;
  // Every dead end ends in class: whatever failed, the teacher can still mark the student present.
  ui.extra.textContent = title === 'outcome.codeChanged' ? '' : i18n.t('outcome.askTeacher');
  ui.extra.hidden = title === 'outcome.codeChanged';
  ui.notice.hidden = true;
  ui.enrollLink.hidden = !enroll;
  ui.enrollButton.textContent = i18n.t(title === 'outcome.noPhoneKey' ? 'outcome.enrollNow' : 'outcome.enroll');
}

/**
 * Without a phone key nothing can be asked: the way forward is enrolling (or linking) this phone. The code
 * is kept so that the return from the enrolment page can try it again.
 */
function noPhoneKey(): State {
  if (scanned) keepPendingCode(scanned);
  return { kind: 'refused', title: 'outcome.noPhoneKey', enroll: true };
}

/** A refusal whose way forward is enrolling: the code is kept for the return, as without a phone key. */
function enrollRefusal(error: unknown): boolean {
  const enroll = error instanceof ApiError && enrollCodes.has(error.code);
  if (enroll && scanned) keepPendingCode(scanned);
  return enroll;
}

function setState(next: State, of: number = attempt): void {
  if (of !== attempt) return;
  state = next;
  render();
}

/**
 * A refused token: a stale or malformed code is "scan the one on screen" (back from enrolling, with the
 * typed code beside it: the kept code has almost surely changed meanwhile); anything else says why.
 */
function challengeRefused(error: unknown, resumed: boolean): State {
  const stale = error instanceof ApiError && (error.code === PageErrorCode.scanCodeExpired || error.code === PageErrorCode.validationFailed);
  if (stale && resumed) return { kind: 'code', busy: false, resumed: true };
  if (stale) return { kind: 'refused', title: 'outcome.codeChanged', enroll: false };
  return { kind: 'refused', title: 'outcome.refused', detail: { failure: error }, enroll: enrollRefusal(error) };
}

async function startWithToken(token: string, { resumed = false } = {}): Promise<void> {
  const mine = ++attempt;
  setState({ kind: 'checking' });
  if (!isToken(token)) return setState({ kind: 'refused', title: 'outcome.codeChanged', enroll: false });
  scanned = { token };
  phoneKey = await existingPhoneKey().catch(() => null);
  if (!phoneKey) return setState(noPhoneKey(), mine);
  try {
    const offer = await askChallenge(api, phoneKey, { token });
    if (mine === attempt) await offerReady(offer);
  } catch (error) {
    setState(challengeRefused(error, resumed), mine);
  }
}

async function startWithCode(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  if (state.kind !== 'code' || state.busy) return;
  const code = normaliseCode(ui.codeInput.value);
  if (!code) {
    setState({ kind: 'code', busy: false, error: { key: 'code.invalid' } });
    ui.codeInput.focus();
    return;
  }
  await tryCode(code, false);
}

/** A typed code (or one kept from before enrolling): the same passkey step as a scanned one. */
async function tryCode(code: string, resumed: boolean): Promise<void> {
  scanned = { code };
  phoneKey = await existingPhoneKey().catch(() => null);
  if (!phoneKey) return setState(noPhoneKey());
  const mine = ++attempt;
  setState({ kind: 'code', busy: true, resumed });
  try {
    const offer = await askChallenge(api, phoneKey, { code });
    if (mine === attempt) await offerReady(offer);
  } catch (error) {
    if (error instanceof ApiError && enrollRefusal(error)) {
      setState({ kind: 'refused', title: 'outcome.refused', detail: { failure: error }, enroll: true }, mine);
      return;
    }
    // Back from enrolling, a kept code that no longer works just asks for the one on screen now.
    setState({ kind: 'code', busy: false, resumed, ...(resumed ? {} : { error: { failure: error } }) }, mine);
    ui.codeInput.select();
  }
}

/** The code is live: show which class, and go straight to the passkey prompt. */
async function offerReady(offer: Offer): Promise<void> {
  refusedPrompts = 0;
  setState({ kind: 'offer', offer, step: 'idle' });
  await confirmWithPasskey(offer, { automatic: true });
}

async function confirmWithPasskey(offer: Offer, { automatic }: { automatic: boolean }): Promise<void> {
  if (state.kind !== 'offer' || state.step !== 'idle') return;
  const mine = attempt;
  setState({ kind: 'offer', offer, step: 'prompting' });
  let assertion;
  try {
    assertion = await signWithPasskey(offer);
  } catch (error) {
    let failure = error instanceof PhoneFailure ? error : new PhoneFailure('fail.browser', { detail: 'Error' });
    if (failure.cancelled && !automatic && ++refusedPrompts >= 2) failure = new PhoneFailure('fail.notAllowedAgain', {}, true);
    // A prompt the phone would not start without a tap is not a failure: the button is the next step.
    setState({ kind: 'offer', offer, step: 'idle', ...(automatic && failure.cancelled ? {} : { failure }) }, mine);
    if (automatic && mine === attempt) ui.confirm.focus();
    return;
  }
  setState({ kind: 'offer', offer, step: 'sending' }, mine);
  try {
    setState({ kind: 'done', confirmation: await sendConfirmation(api, phoneKey!, offer, assertion), at: new Date() }, mine);
  } catch (error) {
    setState({ kind: 'refused', title: 'outcome.refused', detail: { failure: error }, enroll: enrollRefusal(error) }, mine);
  }
}

ui.confirm.addEventListener('click', () => {
  if (state.kind === 'offer') void confirmWithPasskey(state.offer, { automatic: false });
});
ui.codeForm.addEventListener('submit', (event) => void startWithCode(event));
i18n.onChange(render);

/** The token after `#`, taken out of the address at once: a screenshot or a shared link must not carry it. */
function takeToken(): string {
  const token = location.hash.slice(1);
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return token;
}

// Scanning the next code while this page is open only changes the fragment: the same page starts again.
window.addEventListener('hashchange', () => {
  const next = takeToken();
  if (next) void startWithToken(next);
});

const token = takeToken();
const pending = token ? null : takePendingCode();
if (token) {
  await startWithToken(token);
} else if (pending && 'token' in pending) {
  await startWithToken(pending.token, { resumed: true });
} else if (pending) {
  await tryCode(pending.code, true);
} else {
  setState({ kind: 'code', busy: false });
  ui.codeInput.focus();
}
