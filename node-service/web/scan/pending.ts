// The code a student scanned on a phone that holds no key of theirs, kept while they go and enrol (or link)
// this phone, so that the scan page can pick it up on return. sessionStorage: this tab only, never the
// address (a screenshot or a shared link must not carry a code), gone when the tab closes.

const storageKey = 'asistencia.pendingScan';
/** Past this, a kept code is certainly dead and the student is a long way from the class moment. */
const keptForMs = 30 * 60 * 1000;

export type PendingCode = { readonly token: string } | { readonly code: string };

export function keepPendingCode(code: PendingCode, now: number = Date.now()): void {
  try {
    sessionStorage.setItem(storageKey, JSON.stringify({ ...code, at: now }));
  } catch {
    // Storage refused (private mode, policy): the return then asks for a fresh scan, as without a code.
  }
}

/** The kept code, taken out of storage (it is tried once); null when none or too old. */
export function takePendingCode(now: number = Date.now()): PendingCode | null {
  let raw: string | null = null;
  try {
    raw = sessionStorage.getItem(storageKey);
    sessionStorage.removeItem(storageKey);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const kept = JSON.parse(raw) as { token?: unknown; code?: unknown; at?: unknown };
    if (typeof kept.at !== 'number' || now - kept.at > keptForMs || now < kept.at) return null;
    if (typeof kept.token === 'string') return { token: kept.token };
    if (typeof kept.code === 'string') return { code: kept.code };
  } catch {
    // Not ours or damaged: nothing to resume.
  }
  return null;
}
