import { afterAll, describe, expect, test } from 'vitest';
import { createTestDatabase } from '../support/databases.js';
import { cleanUp, launchReady } from '../startup/operator.js';

// The start-up log says whether warnings by e-mail are on, and where they go, never with the password.

const database = await createTestDatabase();
afterAll(async () => {
  await cleanUp();
  await database.drop();
});

const messages = (logs: Array<Record<string, unknown>>) => logs.filter((line) => String(line['msg']).startsWith('e-mail is'));

describe('the start-up log', () => {
  test('says e-mail is off when SMTP_URL is unset', async () => {
    const service = await launchReady({ DATABASE_URL: database.url });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messages(service.logs()).map((line) => line['msg'])).toEqual(['e-mail is off: SMTP_URL is unset, so no warnings or digests are sent']);
  });

  test('names the SMTP server and sender when it is on, without the password', async () => {
    const service = await launchReady({
      DATABASE_URL: database.url,
      SMTP_URL: 'smtp://mailer:pw-in-the-url@127.0.0.1:2525',
      SMTP_FROM: 'asistencia@example.edu',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messages(service.logs())).toEqual([expect.objectContaining({ msg: 'e-mail is on', smtp: 'smtp://127.0.0.1:2525', from: 'asistencia@example.edu' })]);
    expect(service.output()).not.toContain('pw-in-the-url');
  });
});
