export type { ReadinessCheck } from './application/check-readiness.js';
export { healthRoutes } from './presentation/routes.js';
