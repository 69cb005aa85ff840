/**
 * Operators' command line for enrolled passkeys, on the same application services and settings as the
 * service (loadConfig + openDatabase: DATABASE_URL, or the embedded database under DATA_DIR while the
 * service is stopped). Every change is audited in enrollment.enrollment_history with actor_role 'operator'
 * and the operating-system user as actor.
 *
 *   npm run devices -- attention
 *   npm run devices -- list <student-id>
 *   npm run devices -- revoke <credential-prefix> [reason...]
 *   npm run devices -- reset <student-id> [reason...]
 */
import { userInfo } from 'node:os';
import { isAppError } from '../shared/errors.js';
import { runCli, withConfiguredDatabase } from './run.js';
import {
  CREDENTIAL_PREFIX_MIN,
  createDeviceOperations,
  type Actor,
  type Device,
  type DeviceManagement,
  type DeviceOverview,
} from '../modules/enrollment/index.js';

const USAGE = `Usage: npm run devices -- <command>
  attention                                blocked devices, then devices with alerts (shared phone, synced, re-binds)
  list <student-id>                        the student's devices and when they may enrol again
  revoke <credential-prefix> [reason...]   revoke one device, named by the first ${CREDENTIAL_PREFIX_MIN}+ characters of its credential id
  reset <student-id> [reason...]           clear the student's re-enrolment cooldown (devices are not touched)
`;

const out = (text: string) => process.stdout.write(`${text}\n`);
const when = (date: Date | null) => (date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '-');

function operator(): Actor {
  try {
    return { id: userInfo().username || 'operator', role: 'operator' };
  } catch {
    return { id: 'operator', role: 'operator' };
  }
}

function printDevice(device: Device): void {
  const revoked = device.state === 'revoked' ? `  revoked ${when(device.revokedAt)}: ${device.revokedReason ?? ''}` : '';
  const flagged = device.state === 'flagged' ? `  flagged: ${device.flaggedReason ?? ''}` : '';
  out(`  #${device.id}  ${device.state.padEnd(7)}  ${device.credentialId}`);
  out(`      "${device.name}"  student ${device.studentId}  enrolled ${when(device.createdAt)}  last used ${when(device.lastUsedAt)}  aaguid ${device.aaguid}${revoked}${flagged}`);
  const passkey = device.backupEligible ? `synced (BE${device.backedUp ? ', BS' : ''})` : 'device-bound';
  const phone = device.phoneKeyBoundAt ? `phone key bound ${when(device.phoneKeyBoundAt)}` : 'no phone key bound';
  out(`      ${passkey}  ${phone}  re-binds in 30 days: ${device.rebindsLast30Days}`);
  for (const alert of device.alerts) out(`      alert ${alert.reason} since ${when(alert.raisedAt)}  ${JSON.stringify(alert.details)}`);
}

function printOverview(overview: DeviceOverview): void {
  const next = overview.nextEnrollmentAt && overview.nextEnrollmentAt > new Date() ? `from ${when(overview.nextEnrollmentAt)}` : 'now';
  out(`Student ${overview.studentId}: ${overview.devicesInUse} of ${overview.maxDevices} device(s) in use; ` +
    `${overview.enrollmentsSinceReset} enrolment(s) since the last reset; cooldown allows another enrolment ${next}.`);
  if (overview.devices.length === 0) out('  (no devices)');
  overview.devices.forEach(printDevice);
}

async function run(management: DeviceManagement, command: string, target: string, reason: string | undefined): Promise<void> {
  const actor = operator();
  switch (command) {
    case 'attention': {
      const devices = await management.needingAttention();
      out(devices.length === 0 ? 'No blocked device and no device with alerts.' : `${devices.length} device(s) to review:`);
      devices.forEach(printDevice);
      return;
    }
    case 'list':
      printOverview(await management.overview(target));
      return;
    case 'revoke': {
      const device = await management.revokeByCredentialPrefix(actor, target, reason ?? 'revoked by an operator at the command line');
      out(`Revoked device #${device.id} of student ${device.studentId} (as ${actor.id}).`);
      printDevice(device);
      return;
    }
    case 'reset': {
      const overview = await management.reset(actor, target, reason ?? 'cooldown reset by an operator at the command line');
      out(`Reset the enrolment cooldown of student ${target} (as ${actor.id}).`);
      printOverview(overview);
      return;
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, target, ...words] = argv;
  const usable =
    command === 'attention' ? target === undefined : !!target && ['list', 'revoke', 'reset'].includes(command ?? '') && !(command === 'list' && words.length > 0);
  if (!command || !usable) {
    process.stderr.write(USAGE);
    return 2;
  }
  return withConfiguredDatabase(async (db, config) => {
    try {
      const { management } = createDeviceOperations({ config, db });
      await run(management, command, target ?? '', words.length > 0 ? words.join(' ') : undefined);
      return 0;
    } catch (error) {
      if (!isAppError(error)) throw error;
      process.stderr.write(`${error.code}: ${error.localized('en')}\n`);
      const matches = error.details;
      if (Array.isArray(matches)) for (const match of matches) process.stderr.write(`  ${JSON.stringify(match)}\n`);
      return 1;
    }
  });
}

runCli(main);
