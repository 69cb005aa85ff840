import { afterAll, describe, expect, test } from 'vitest';
import { createTestDatabase } from '../support/databases.js';
import { cleanUp, launchReady } from './operator.js';

// What an operator sees on the terminal: LOG_FORMAT=pretty writes readable lines and one line per request
// (not Fastify's two JSON lines), the query string redacted. JSON stays what the other start-up tests read.

const database = await createTestDatabase();
afterAll(async () => {
  await cleanUp();
  await database.drop();
});

/** The output lines that mention `needle`, once the service has had a moment to write them. */
async function linesNaming(output: () => string, needle: string): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  return output().split('\n').filter((line) => line.includes(needle));
}

describe('LOG_FORMAT', () => {
  test('pretty: one readable line per request, written when the answer is sent', async () => {
    const service = await launchReady({ DATABASE_URL: database.url, LOG_FORMAT: 'pretty' });
    await fetch(`${service.baseUrl}/asistencia/client-config?token=secret-value`);
    await fetch(`${service.baseUrl}/asistencia/api/me`);

    const config = await linesNaming(service.output, '/asistencia/client-config');
    expect(config, service.output()).toHaveLength(1);
    expect(config[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/asistencia\/client-config\?\[redacted\] 200 \d+ ms$/);
    expect(await linesNaming(service.output, '/asistencia/api/me')).toEqual([expect.stringMatching(/INFO: GET \/asistencia\/api\/me 401 \d+ ms$/)]);
    expect(service.output()).not.toContain('secret-value');
    expect(service.output()).not.toContain('"level"');
    expect(service.output()).not.toContain('incoming request');
    expect(service.output()).toMatch(/INFO: Asistencia ready at http:\/\/localhost:\d+\/asistencia\//);
  });

  test('json: pino lines, Fastify’s two per request', async () => {
    const service = await launchReady({ DATABASE_URL: database.url, LOG_FORMAT: 'json' });
    await fetch(`${service.baseUrl}/asistencia/client-config`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const messages = service.logs().filter((line) => line['reqId'] !== undefined).map((line) => line['msg']);
    expect(messages).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
  });
});
