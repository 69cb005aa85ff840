// What the projector receives over the WebSocket, and the display-only clock reasoning about it. Whether a
// code scans is decided by the server alone; the page only uses the server's times to draw the countdown
// and to hide a code it has stopped hearing about, so nobody scans a dead one.
import type { ServerMessage } from '../src/lib/ws';

type SessionState = 'scheduled' | 'open' | 'closed';

export interface LiveCount {
  readonly round: number | null;
  readonly confirmed: number;
  readonly expected: number;
}

export interface ProjectedSession {
  readonly id: string;
  readonly courseName: string;
  readonly room: string;
  readonly state: SessionState;
  readonly currentRound: number | null;
  readonly roundsStarted: number;
  readonly roundsPlanned: number;
  readonly periodMs: number;
  readonly fallbackCodeEnabled: boolean;
}

interface StateMessage extends ServerMessage {
  readonly type: 'projector.state';
  readonly session: ProjectedSession;
  readonly count: LiveCount;
}

export interface QrFrame extends ServerMessage {
  readonly type: 'qr';
  readonly sessionId: string;
  readonly round: number;
  readonly slot: number;
  readonly url: string;
  readonly fallbackCode: string | null;
  readonly serverTime: number;
  readonly slotStartsAt: number;
  readonly expiresAt: number;
  readonly nextRotationAt: number;
  readonly periodMs: number;
  readonly count: LiveCount;
}

interface CountMessage extends ServerMessage, LiveCount {
  readonly type: 'count';
  readonly sessionId: string;
}

interface PongMessage extends ServerMessage {
  readonly type: 'pong';
  readonly serverTime: number;
}

export type ProjectorMessage = StateMessage | QrFrame | CountMessage | PongMessage;

/** A frame as received: `offsetMs` is how far the server clock runs ahead of this one (latency included). */
export interface ReceivedFrame {
  readonly frame: QrFrame;
  readonly offsetMs: number;
}

export function receive(frame: QrFrame, localNow: number): ReceivedFrame {
  return { frame, offsetMs: frame.serverTime - localNow };
}

/** The server's time now, as far as this page can tell. */
export function serverNow(received: ReceivedFrame, localNow: number): number {
  return localNow + received.offsetMs;
}

/**
 * When the page stops showing a frame if no newer one came: one period after its slot began, plus a margin
 * for delivery (up to a second, but never past the code's own expiry when the grace allows it).
 */
function staleAt(frame: QrFrame): number {
  const grace = frame.expiresAt - frame.nextRotationAt;
  return frame.nextRotationAt + Math.min(1000, Math.max(300, grace));
}

export function isFresh(received: ReceivedFrame, localNow: number): boolean {
  return serverNow(received, localNow) < staleAt(received.frame);
}

/** The share of the slot still to run, 1 → 0, for the countdown bar. */
export function remainingShare(received: ReceivedFrame, localNow: number): number {
  const { nextRotationAt, slotStartsAt } = received.frame;
  const share = (nextRotationAt - serverNow(received, localNow)) / Math.max(1, nextRotationAt - slotStartsAt);
  return Math.min(1, Math.max(0, share));
}

/** SVG markup as a node of this document, or null when it is not a plain SVG image. */
export function svgNode(markup: string): SVGSVGElement | null {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.namespaceURI !== 'http://www.w3.org/2000/svg' || root.localName !== 'svg') return null;
  if (root.querySelector('parsererror, script, foreignObject, image, use')) return null;
  const svg = document.importNode(root, true) as unknown as SVGSVGElement;
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  return svg;
}

/** "482913" → "482 913": big digits are easier to copy in groups. */
export function groupDigits(code: string): string {
  return code.length > 4 ? code.replace(/(.{3})(?=.)/g, '$1 ') : code;
}
