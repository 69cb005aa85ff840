import type { CourseDirectory } from './application/ports.js';
import { createDemoDirectory } from './infrastructure/demo-directory.js';
import { createPortalDirectory } from './infrastructure/portal-directory.js';
import { rememberStaff } from './application/remembered-staff.js';

export type { CourseDirectory } from './application/ports.js';
export { createCourseAccess, type CourseAccess, type CourseStanding } from './application/course-access.js';
export { may } from './domain/course-rights.js';
export type { CourseRight } from '../../shared/course-rights.js';
export { DEMO_USERS, type DemoUser } from './infrastructure/demo-seed.js';

/**
 * The portal when it is configured (who staffs each course as it last said, while it is down: see
 * application/remembered-staff.ts), the demo seed otherwise.
 */
export function createDirectory(options: {
  portalUrl: string | undefined;
  credential: string | undefined;
  staff: { staleMs: number; maxPeople: number };
}): CourseDirectory {
  if (options.portalUrl && options.credential) {
    return rememberStaff(createPortalDirectory({ baseUrl: options.portalUrl, credential: options.credential }), options.staff);
  }
  return createDemoDirectory();
}
