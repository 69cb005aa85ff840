import type { CourseDirectory } from './application/ports.js';
import { createDemoDirectory } from './infrastructure/demo-directory.js';
import { createPortalDirectory } from './infrastructure/portal-directory.js';

export type { CourseDirectory } from './application/ports.js';
export { createCourseAccess, type CourseAccess, type CourseStanding } from './application/course-access.js';
export { may } from './domain/course-rights.js';
export type { CourseRight } from '../../shared/course-rights.js';
export { DEMO_USERS, type DemoUser } from './infrastructure/demo-seed.js';

/** The portal when it is configured, the demo seed otherwise. */
export function createDirectory(options: { portalUrl: string | undefined; credential: string | undefined }): CourseDirectory {
  if (options.portalUrl && options.credential) {
    return createPortalDirectory({ baseUrl: options.portalUrl, credential: options.credential });
  }
  return createDemoDirectory();
}
