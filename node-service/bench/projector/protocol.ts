/** What the benchmark and its projector client process say to each other over the IPC channel. */

export interface ConnectRequest {
  type: 'connect';
  wsUrl: string;
  token: string;
  sessionIds: string[];
  concurrency: number;
}

export type ParentMessage = ConnectRequest | { type: 'report' } | { type: 'stop' };

/** One `qr` frame as received: which session (by index), its slot and token, and the three clocks. */
export interface FrameRecord {
  session: number;
  round: number;
  slot: number;
  token: string;
  slotStartsAt: number;
  serverTime: number;
  arrivedAt: number;
}

export type ClientMessage =
  | { type: 'connected'; subscribed: number; failures: string[]; ms: number }
  | { type: 'frames'; frames: FrameRecord[]; problems: string[] };
