/**
 * One phone, one place, one moment (issue 24). No web page can prove that a passkey or a phone key lives in
 * hardware, so a student can script both and hand the copy to a friend; what the copy cannot hide is being
 * used somewhere else, or at the same time, as the original. These are the uses that say so.
 */

/** A use of a phone key (its challenge request) or a student's confirmation: where from, and when (ms). */
export interface Use {
  network: string;
  at: number;
}

/** What was seen: the earlier use and this one. */
export interface SharingEvidence {
  kind: 'two_places' | 'two_at_once' | 'confirmed_twice';
  uses: [Use, Use];
}

/** The same phone key asking from another client network within the window: two places. */
export function twoPlaces(previous: Use | null, current: Use, windowMs: number): SharingEvidence | null {
  if (!previous || previous.network === current.network || current.at - previous.at > windowMs) return null;
  return { kind: 'two_places', uses: [previous, current] };
}

/** A student confirmed again in a round they were confirmed in from another client network. */
export function confirmedTwice(previous: Use | null, current: Use): SharingEvidence | null {
  if (!previous || previous.network === current.network) return null;
  return { kind: 'confirmed_twice', uses: [previous, current] };
}

/** The alert a shared use raises, on the device and on the student's confirmations. */
export const SHARED_DEVICE_ALERT = 'shared_device';
