// The service's answers as the pages read them: the types inferred from the routes' response schemas, kept
// in files that import only zod (e.g. src/modules/attendance/presentation/responses.ts). Imported as types
// only (erased from the bundle: no server code reaches the pages), so a field changed in a schema breaks
// the pages' typecheck instead of drifting from what they read.
export type * as AttendanceApi from '../../../src/modules/attendance/presentation/responses';
export type * as EnrollmentApi from '../../../src/modules/enrollment/presentation/responses';
