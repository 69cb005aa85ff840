import WebSocket from 'ws';

export interface TestSocket {
  socket: WebSocket;
  /** The next message of `type` (or any message), parsed; rejects after `timeoutMs`. */
  next(type?: string, timeoutMs?: number): Promise<Record<string, unknown> & { type: string }>;
  send(message: unknown): void;
  /** Everything received and not yet read (of `type`, or all), oldest first, taken out of the inbox. */
  drain(type?: string): Array<Record<string, unknown> & { type: string }>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** A WebSocket client that queues what it receives, for step-by-step protocol tests. */
export async function openSocket(url: string, options: { headers?: Record<string, string>; rejectUnauthorized?: boolean } = {}): Promise<TestSocket> {
  const socket = new WebSocket(url, { headers: options.headers, rejectUnauthorized: options.rejectUnauthorized ?? true });
  const inbox: Array<Record<string, unknown> & { type: string }> = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    inbox.push(JSON.parse(data.toString()));
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      waiters.splice(0).forEach((wake) => wake());
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    close: () => socket.close(),
    drain(type) {
      const taken = inbox.filter((m) => type === undefined || m.type === type);
      for (const message of taken) inbox.splice(inbox.indexOf(message), 1);
      return taken;
    },
    async next(type, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = inbox.findIndex((m) => type === undefined || m.type === type);
        if (index >= 0) return inbox.splice(index, 1)[0]!;
        if (socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type ?? 'a message'}`);
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`no ${type ?? ''} message within ${timeoutMs} ms; got ${JSON.stringify(inbox)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}
