import type { Device, HistoryEntry } from '../domain/device.js';
import type { DeviceRepository, KnownPerson, PeopleDirectory } from './ports.js';

/** One student answering an admin's lookup, with how many devices they use. */
interface StudentMatch {
  id: string;
  name: string;
  username: string;
  devicesInUse: number;
}

export interface StudentLookup {
  /**
   * Students matching a name, username or id (the portal decides: accents and case ignored), at most
   * `maxResults`; `truncated` when there were more.
   */
  find(query: string): Promise<{ students: StudentMatch[]; truncated: boolean; limit: number }>;
  /**
   * The people behind ids, for naming them beside histories and devices. When the portal cannot answer the
   * page still works, naming nobody: an admin may need to revoke a device while the portal is down.
   */
  names(ids: Iterable<string>): Promise<KnownPerson[]>;
}

export function createStudentLookup(deps: {
  directory: PeopleDirectory;
  devices: Pick<DeviceRepository, 'standing'>;
  maxResults: number;
  report?: (error: unknown, context: string) => void;
}): StudentLookup {
  return {
    async find(query) {
      const found = await deps.directory.searchStudents(query, deps.maxResults + 1);
      const shown = found.slice(0, deps.maxResults);
      const students = await Promise.all(
        shown.map(async (student) => ({ ...student, devicesInUse: (await deps.devices.standing(student.id)).devicesInUse })),
      );
      return { students, truncated: found.length > deps.maxResults, limit: deps.maxResults };
    },

    async names(ids) {
      const unique = [...new Set(ids)].slice(0, 100);
      if (unique.length === 0) return [];
      try {
        return await deps.directory.people(unique);
      } catch (error) {
        deps.report?.(error, 'naming people for the admin page failed; ids are shown instead');
        return [];
      }
    },
  };
}

/** Everyone a device list names: its owners and, in shared-phone alerts, the other students. */
export function peopleOfDevices(devices: readonly Device[]): string[] {
  return devices.flatMap((device) => [
    device.studentId,
    ...device.alerts.flatMap((alert) => {
      const others = alert.details['otherStudents'];
      return Array.isArray(others) ? others.filter((id): id is string => typeof id === 'string') : [];
    }),
  ]);
}

/** Everyone a history names: the people who acted (students, admins, teachers; not the operator or system). */
export function peopleOfHistory(entries: readonly HistoryEntry[]): string[] {
  return entries.filter((entry) => entry.actor.role !== 'operator' && entry.actor.role !== 'system').map((entry) => entry.actor.id);
}
