import type { Identity } from '../../auth/index.js';
import { attendanceErrors } from '../domain/errors.js';
import type { Holiday, HolidayRepository } from './ports.js';

/** The public holidays a series skips: everyone reads them, an admin adds, renames or removes one. */
export function createHolidayService(deps: { holidays: HolidayRepository }) {
  const { holidays } = deps;
  return {
    list: () => holidays.list(),
    put: (actor: Identity, holiday: Holiday) => holidays.put(holiday, actor),
    async remove(date: string): Promise<void> {
      if (!(await holidays.remove(date))) throw attendanceErrors.HOLIDAY_NOT_FOUND({ date });
    },
  };
}

export type HolidayService = ReturnType<typeof createHolidayService>;
