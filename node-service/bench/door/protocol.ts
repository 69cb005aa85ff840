/** What the door benchmark and its socket client process say to each other over the IPC channel. */

export interface OpenRequest {
  type: 'open';
  wsUrl: string;
  count: number;
  /** The portal's JWT secret: the client signs one token per socket (one user each). */
  jwtSecret: string;
  pingPeriodMs: number;
}

export type ParentMessage = OpenRequest | { type: 'report' } | { type: 'stop' };

export type ClientMessage =
  | { type: 'opened'; open: number; ms: number; error?: string }
  | { type: 'report'; open: number; answeredSockets: number; pongs: number; dropped: number };
