/**
 * Every Valkey key prefix and channel, with its time to live, declared in one place. Nothing here matters
 * after about a minute: losing Valkey loses live codes and challenges, never attendance.
 */
export const keystore = {
  /** The live QR code of one (session, round, slot): `{ token, fallbackCode }`, set-if-absent. */
  qrSlot: (sessionId: string, round: number, slot: number) => `qr:slot:${sessionId}:${round}:${slot}`,
  /** A scanned token back to its `{ sessionId, round, slot }`; lives one period plus the grace. */
  qrToken: (token: string) => `qr:token:${token}`,
  /** A typed fallback code to its `{ sessionId, round, slot }`; lives FALLBACK_CODE_TTL_SECONDS (default 20) from its
   *  slot's start, and at least as long as its token. */
  qrFallback: (code: string) => `qr:fallback:${code}`,
  /** One per projecting instance, set-if-absent at every PROJECTION_LOSS_CHECK_MS: found missing, Valkey lost its
   *  data (FLUSHALL, a restart, a failover), and the live codes are made again at once. Lives a minute. */
  qrSentinel: (instanceId: string) => `qr:sentinel:${instanceId}`,
  /** Marks an ended round (or closed session) so no instance makes new codes for it. */
  qrRoundEnded: (sessionId: string, round: number) => `qr:ended:${sessionId}:${round}`,
  /** A student's pending challenge (one at a time per purpose: enrolling a passkey, re-binding a phone key, revoking a device, proving a device before adding another),
   *  taken atomically when verified. TTL: ENROLLMENT_CHALLENGE_TTL_SECONDS (default 300), like the two below. */
  enrollmentChallenge: (purpose: string, studentId: string) => `enrollment:${purpose}:challenge:${studentId}`,
  /** Who a challenge was issued to, to tell "another user's" from "expired". */
  enrollmentChallengeOwner: (purpose: string, challenge: string) => `enrollment:${purpose}:challenge-owner:${challenge}`,
  /** A challenge already spent, to tell "already used" from "expired". */
  enrollmentChallengeUsed: (purpose: string, challenge: string) => `enrollment:${purpose}:challenge-used:${challenge}`,
  /** A scan's WebAuthn challenge, bound to one QR code's session, round and slot, to the phone key that asked
   *  and to its client network; taken once. TTL: SCAN_CHALLENGE_TTL_SECONDS (default 20). */
  scanChallenge: (challengeId: string) => `scan:challenge:${challengeId}`,
  /** A phone-signed challenge request already served (phone key and nonce), so it cannot be replayed; lives
   *  as long as a scan challenge. */
  scanPhoneRequest: (phoneKeyId: string, nonce: string) => `scan:phone-request:${phoneKeyId}:${nonce}`,
  /** Typed fallback codes tried from one client network (an IPv4 host, an IPv6 /64) and not given back by a
   *  right one, for one minute: the network's high ceiling (FALLBACK_CODE_FAILURES_PER_ADDRESS_PER_MINUTE). */
  scanTypedCodeFailures: (network: string) => `scan:typed-code-failures:${network}`,
  /** The same for one phone key, counted first (FALLBACK_CODE_FAILURES_PER_MINUTE). */
  scanPhoneTypedCodeFailures: (phoneKeyId: string) => `scan:phone-typed-code-failures:${phoneKeyId}`,
  /** Challenge requests from one client network by enrolled phones with valid signatures, for one minute
   *  (RATE_LIMIT_SCAN_PER_MINUTE). */
  scanNetworkRequests: (network: string) => `scan:network-requests:${network}`,
  /** Challenge requests from one client network that no enrolled phone signed (unknown key, bad signature,
   *  replayed nonce), for one minute (RATE_LIMIT_SCAN_UNKNOWN_PHONE_PER_MINUTE). */
  scanUnprovenRequests: (network: string) => `scan:unproven-requests:${network}`,
  /** Challenge requests of one phone key, for one minute (SCAN_REQUESTS_PER_PHONE_PER_MINUTE). */
  scanPhoneRequests: (phoneKeyId: string) => `scan:phone-requests:${phoneKeyId}`,
  /** The network and time of a phone key's latest challenge request; TTL: SHARING_WINDOW_SECONDS (300). */
  scanPhoneSeen: (phoneKeyId: string) => `scan:phone-seen:${phoneKeyId}`,
  /** Set while a phone key is asking for a challenge; TTL: SHARING_SIMULTANEOUS_MS (2000). */
  scanPhoneAsking: (phoneKeyId: string) => `scan:phone-asking:${phoneKeyId}`,
  /** Where a student's confirmation of a round came from; TTL: SHARING_CONFIRMED_FROM_HOURS (12: a class day). */
  scanConfirmedFrom: (sessionId: string, round: number, studentId: string) => `scan:confirmed-from:${sessionId}:${round}:${studentId}`,
  /** Fixed-window request counters of the rate limiter. */
  rateLimit: (key: string) => `ratelimit:${key}`,
} as const;

/** Pub/sub channels (they carry the same prefix as keys). */
export const channels = {
  /** Everything projectors and other instances must hear about one session: state changes, live counts. */
  session: (sessionId: string) => `events:session:${sessionId}`,
  /** A revoked portal token's `jti` (the list itself is in PostgreSQL): every instance closes its sockets. */
  revocations: 'events:revocations',
} as const;
