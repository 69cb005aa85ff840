import type { ScanCredentials, ScanDevice } from '../../scan/index.js';
import type { Device } from '../domain/device.js';
import { studentIdFromUserHandle } from '../domain/user-handle.js';
import type { DeviceRepository } from './ports.js';

/** A re-binding this recent is shown on the confirmations the device signs. */
const REBOUND_RECENTLY_MS = 24 * 60 * 60 * 1000;

/**
 * The scan's credentials port, implemented on the device repository: the passkeys bound to a phone key, the
 * device behind a credential id, and a way to flag a clone. (A scan's use of the device is recorded with the
 * confirmation, in one commit: attendance/infrastructure/confirmation-repository.ts.)
 */
export function createScanCredentials(deps: { devices: DeviceRepository; now: () => Date }): ScanCredentials {
  const scanDevice = (device: Device): ScanDevice => ({
    deviceId: device.id,
    studentId: device.studentId,
    credentialId: device.credentialId,
    publicKey: device.publicKey,
    signCount: device.signCount,
    transports: device.transports,
    state: device.state,
    phoneKeyId: device.phoneKeyId,
    phonePublicKey: device.phonePublicKey,
    alerts: alertsOf(device, deps.now()),
  });
  return {
    boundToPhone: async (phoneKeyId) => (await deps.devices.findByPhoneKey(phoneKeyId)).map(scanDevice),
    async byCredentialId(credentialId) {
      const device = await deps.devices.findByCredentialId(credentialId);
      return device ? scanDevice(device) : null;
    },
    async flag(deviceId, reason, details = {}) {
      return (await deps.devices.flag(deviceId, reason, { id: 'asistencia', role: 'system' }, details)) !== null;
    },
    alertShared: (deviceId, details) => deps.devices.raiseAlert(deviceId, { reason: 'shared_device', details }, { id: 'asistencia', role: 'system' }),
    studentIdFromUserHandle,
  };
}

/** The device's alert reasons, and 'rebound_recently' when its phone key was re-bound (not enrolled) lately. */
function alertsOf(device: Device, now: Date): string[] {
  const reasons: string[] = device.alerts.map((alert) => alert.reason);
  const rebound = device.phoneKeyBoundAt !== null && device.phoneKeyBoundAt.getTime() > device.createdAt.getTime();
  if (rebound && now.getTime() - device.phoneKeyBoundAt!.getTime() < REBOUND_RECENTLY_MS) reasons.push('rebound_recently');
  return reasons;
}
