/**
 * The rotation of a session's QR code. Time is cut into slots of one period, counted from the Unix epoch
 * on the server's clock (never the client's): every instance computes the same slot for the same moment.
 * A code made for slot s scans until the end of slot s plus the grace, so with a grace of one period the
 * current and the previous code scan, and nothing older.
 */
export interface Rotation {
  periodMs: number;
  graceMs: number;
}

export function slotAt(nowMs: number, periodMs: number): number {
  return Math.floor(nowMs / periodMs);
}

export function slotStartsAt(slot: number, periodMs: number): number {
  return slot * periodMs;
}

/** The first moment the code of `slot` no longer scans. */
export function expiresAt(slot: number, rotation: Rotation): number {
  return (slot + 1) * rotation.periodMs + rotation.graceMs;
}

export function isLive(slot: number, nowMs: number, rotation: Rotation): boolean {
  return nowMs >= slotStartsAt(slot, rotation.periodMs) && nowMs < expiresAt(slot, rotation);
}

/**
 * The first moment the typed fallback code of `slot` no longer leads to a challenge: `fallbackTtlMs` after
 * its slot began, and never before its QR code stops scanning. Typing six digits read off a screen takes
 * longer than a camera; the session's networks, not this window, keep absent students out.
 */
export function fallbackExpiresAt(slot: number, rotation: Rotation, fallbackTtlMs: number): number {
  return Math.max(expiresAt(slot, rotation), slotStartsAt(slot, rotation.periodMs) + fallbackTtlMs);
}

/**
 * The slots whose codes may exist around `nowMs` (one ahead for an instance whose clock runs early), going
 * back as far as codes that live `liveMs` from their slot's start (by default, as long as a QR code).
 */
export function slotsAround(nowMs: number, rotation: Rotation, liveMs = rotation.periodMs + rotation.graceMs): number[] {
  const current = slotAt(nowMs, rotation.periodMs);
  const back = Math.max(0, Math.ceil(liveMs / rotation.periodMs) - 1);
  const slots: number[] = [];
  for (let slot = current - back; slot <= current + 1; slot += 1) slots.push(slot);
  return slots;
}
