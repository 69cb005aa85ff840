import WebSocket from 'ws';
import { mapLimit } from './map-limit.js';

/**
 * Many authenticated WebSockets held open at once, each pinging now and then, as a campus of projectors
 * and live-count pages does: for the door test and the door benchmark.
 */
export interface SocketCrowd {
  readonly open: number;
  /** Pongs received since the crowd was opened (or since the last `resetPongs`). */
  readonly pongs: number;
  /** How many sockets got at least one pong since the last `resetPongs`. */
  readonly answeredSockets: number;
  /** Sockets that closed while they should have stayed open: code and reason of each. */
  readonly dropped: ReadonlyArray<{ code: number; reason: string }>;
  resetPongs(): void;
  /** Starts pinging: every socket once per `periodMs`, spread evenly over the period. */
  startPinging(periodMs: number): void;
  close(): Promise<void>;
}

export interface CrowdOptions {
  /** ws:// URL of /asistencia/ws (through the door). */
  url: string;
  count: number;
  /** The portal token of socket `index` (one user each, as a campus is many people). */
  token(index: number): Promise<string> | string;
  /** Sockets being opened at once. */
  concurrency?: number;
  /** Time for one socket to open and authenticate. */
  openTimeoutMs?: number;
}

interface Member {
  socket: WebSocket;
  pongs: number;
}

export async function openCrowd(options: CrowdOptions): Promise<SocketCrowd> {
  const members: Member[] = [];
  const dropped: Array<{ code: number; reason: string }> = [];
  let closing = false;
  let pinger: NodeJS.Timeout | undefined;
  const openOne = async (index: number): Promise<void> => {
    const member = await openMember(options.url, await options.token(index), options.openTimeoutMs ?? 20_000);
    member.socket.once('close', (code, reason) => {
      if (!closing) dropped.push({ code, reason: reason.toString() });
    });
    members.push(member);
  };
  const crowd: SocketCrowd = {
    get open() {
      return members.filter((m) => m.socket.readyState === WebSocket.OPEN).length;
    },
    get pongs() {
      return members.reduce((sum, m) => sum + m.pongs, 0);
    },
    get answeredSockets() {
      return members.filter((m) => m.pongs > 0).length;
    },
    dropped,
    resetPongs() {
      for (const member of members) member.pongs = 0;
    },
    startPinging(periodMs) {
      // One tick every 10 ms pings the next slice, so the whole crowd is pinged once per period.
      const tickMs = 10;
      const perTick = Math.max(1, Math.ceil((members.length * tickMs) / periodMs));
      let cursor = 0;
      pinger = setInterval(() => {
        for (let i = 0; i < perTick && members.length > 0; i++) {
          const member = members[cursor++ % members.length]!;
          if (member.socket.readyState === WebSocket.OPEN) member.socket.send('{"type":"ping"}');
        }
      }, tickMs);
    },
    async close() {
      closing = true;
      clearInterval(pinger);
      await Promise.all(
        members.map(
          (m) =>
            new Promise<void>((resolve) => {
              if (m.socket.readyState === WebSocket.CLOSED) return resolve();
              m.socket.once('close', () => resolve());
              m.socket.close();
              setTimeout(() => {
                m.socket.terminate();
                resolve();
              }, 5_000).unref();
            }),
        ),
      );
    },
  };
  try {
    await mapLimit(Array.from({ length: options.count }, (_, index) => index), options.concurrency ?? 100, openOne);
  } catch (error) {
    await crowd.close();
    throw error;
  }
  return crowd;
}

/** One socket, open and authenticated (auth.ok received), counting its pongs. */
function openMember(url: string, token: string, timeoutMs: number): Promise<Member> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const member: Member = { socket, pongs: 0 };
    const fail = (why: string) => {
      clearTimeout(timer);
      socket.terminate();
      reject(new Error(`a WebSocket to ${url} ${why}`));
    };
    const timer = setTimeout(() => fail(`was not open and authenticated within ${timeoutMs} ms`), timeoutMs);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.once('error', (error) => fail(`failed: ${error.message}`));
    socket.once('close', (code) => fail(`closed with ${code} before auth.ok`));
    socket.on('message', (data) => {
      const { type } = JSON.parse(data.toString()) as { type: string };
      if (type === 'pong') member.pongs++;
      else if (type === 'auth.ok') {
        clearTimeout(timer);
        socket.removeAllListeners('close');
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve(member);
      }
    });
  });
}
