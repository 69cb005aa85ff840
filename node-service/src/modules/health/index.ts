export { healthRoutes } from './presentation/routes.js';
