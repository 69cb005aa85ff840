import { backoffDelay } from '../../../shared/backoff.js';
import type { Authenticator } from '../../auth/index.js';

const retryBounds = { minMs: 500, maxMs: 10_000 };

/**
 * Listens to revocations from every instance for as long as the service runs. A subscription refused at
 * start (Valkey away) is retried with back-off until it holds; after that the store itself resubscribes on
 * every reconnection. Returns the function that stops listening.
 */
export function watchRevocations(
  authenticator: Pick<Authenticator, 'watchRevocations'>,
  onRevoked: (jti: string) => void,
  report: (error: unknown, context: string) => void,
): () => Promise<void> {
  let stop: (() => Promise<void>) | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const listen = (attempt: number): void => {
    authenticator.watchRevocations(onRevoked).then(
      async (unsubscribe) => {
        if (stopped) await unsubscribe();
        else stop = unsubscribe;
      },
      (error: unknown) => {
        report(error, 'listening to revocations failed; retrying');
        if (!stopped) retry = setTimeout(() => listen(attempt + 1), backoffDelay(attempt, retryBounds));
      },
    );
  };
  listen(0);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await stop?.().catch(() => undefined);
  };
}
