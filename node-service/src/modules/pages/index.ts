import type { FastifyInstance } from 'fastify';
import { clientConfigRoute, registerStaticPages, type PageSettings } from './presentation/routes.js';

export type { PageSettings } from './presentation/routes.js';

/** The pages: their client configuration, and the built files. Registered last, after every API route. */
export function createPagesModule(settings: PageSettings) {
  return {
    routes: async (app: FastifyInstance) => {
      await app.register(clientConfigRoute(settings));
      await registerStaticPages(app, settings.webDir);
    },
  };
}
