import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_ROOT, startService, type RunningService } from '../support/service.js';
import { serviceEntry } from '../support/service-build.js';
import { deviceRows, enrollment, freshStudent, historyRows, phoneFor } from './support.js';

/**
 * `npm run devices -- list|revoke|reset`, run as its own process against the test database, exactly as an
 * operator runs it: same services, same settings, audited as 'operator'.
 */
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

function devices(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const config = service.config.database;
  if (!('url' in config)) throw new Error('the CLI test needs the real PostgreSQL');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...serviceEntry('cli/devices'), ...args], {
      cwd: SERVICE_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: config.url, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run devices', () => {
  it("lists a student's devices, revokes one by credential prefix, and resets the cooldown, audited as operator", async () => {
    const student = freshStudent();
    const device = await enrollment(service, student).enroll(phoneFor(service), 'iPhone de prueba');

    const listed = await devices('list', student.sub);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`Student ${student.sub}: 1 of 1 device(s) in use; 1 enrolment(s) since the last reset`);
    expect(listed.stdout).toContain(`#${device.id}  active   ${device.credentialId}`);
    expect(listed.stdout).toContain('"iPhone de prueba"');
    expect(listed.stdout).toMatch(/device-bound {2}phone key bound \d{4}-\d\d-\d\d \d\d:\d\d UTC {2}re-binds in 30 days: 0/);

    const attention = await devices('attention');
    expect(attention.code).toBe(0);
    expect(attention.stdout).not.toContain(`#${device.id} `);

    const revoked = await devices('revoke', device.credentialId.slice(0, 10), 'teléfono', 'robado');
    expect(revoked.stderr).toBe('');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked device #${device.id} of student ${student.sub}`);
    expect((await deviceRows(service, student.sub))[0]).toMatchObject({ state: 'revoked', revoked_reason: 'teléfono robado' });

    const reset = await devices('reset', student.sub);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('0 of 1 device(s) in use; 0 enrolment(s) since the last reset; cooldown allows another enrolment now.');

    const history = await historyRows(service, student.sub);
    expect(history.map((row) => [row.action, row.actor_role, row.reason])).toEqual([
      ['enrolled', 'student', null],
      ['revoked', 'operator', 'teléfono robado'],
      ['reset', 'operator', 'cooldown reset by an operator at the command line'],
    ]);
    expect(history[1]!.actor_id).toMatch(/\S/);

    const after = await devices('list', student.sub);
    expect(after.stdout).toContain(`#${device.id}  revoked  ${device.credentialId}`);
    expect(after.stdout).toContain('teléfono robado');
  });

  it('refuses what it cannot do, with the reason, and a non-zero exit', async () => {
    const [unknown, short, usage] = await Promise.all([
      devices('revoke', 'zzzzzzzzzzzz'),
      devices('revoke', 'abc'),
      devices('delete', 'everything'),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('ENROLLMENT_DEVICE_NOT_FOUND: There is no such device.');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('ENROLLMENT_CREDENTIAL_PREFIX_TOO_SHORT');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: npm run devices -- <command>');
  });
});
