import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** Browser tests run against the pages as built now, never a stale dist/web. */
export default async function buildPages(): Promise<void> {
  await build({ configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
