import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { existsSync } from 'node:fs';
import { z } from 'zod';

export interface PageSettings {
  webDir: string;
  tokenUrl: string;
  loginUrl: string;
  /** The portal's sign-out page (PORTAL_LOGOUT_URL), linked from every page's header as "Salir". */
  logoutUrl: string;
  devSignIn: boolean;
  /** The institution's IANA time zone: the pages show every date and time in it. */
  timeZone: string;
  /** CAMPUS_NETWORKS: what a session without networks of its own accepts (the teacher's page says so). */
  campusNetworks: readonly string[];
  /** ENROLLMENT_CHANGE_NOTICE_DAYS: how long "Mi asistencia" announces a change to the student's devices. */
  deviceChangeNoticeDays: number;
  sessionLimits: { minPeriodMs: number; maxPeriodMs: number; defaultPeriodMs: number; defaultLateAfterMinutes: number; seriesMaxOccurrences: number };
}

/** What the pages need to know before they call anything: where tokens come from, and the session limits. */
export function clientConfigRoute(settings: PageSettings): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/client-config',
      {
        schema: {
          tags: ['pages'],
          summary: 'Where the pages obtain a portal token, where they send a signed-out user and where signing out happens',
          response: {
            200: z.object({
              tokenUrl: z.string(),
              loginUrl: z.string(),
              logoutUrl: z.string(),
              devSignIn: z.boolean(),
              timeZone: z.string(),
              campusNetworks: z.array(z.string()),
              deviceChangeNoticeDays: z.number(),
              sessionLimits: z.object({
                minPeriodMs: z.number(),
                maxPeriodMs: z.number(),
                defaultPeriodMs: z.number(),
                defaultLateAfterMinutes: z.number(),
                seriesMaxOccurrences: z.number(),
              }),
            }),
          },
        },
      },
      async () => ({
        tokenUrl: settings.tokenUrl,
        loginUrl: settings.loginUrl,
        logoutUrl: settings.logoutUrl,
        devSignIn: settings.devSignIn,
        timeZone: settings.timeZone,
        campusNetworks: [...settings.campusNetworks],
        deviceChangeNoticeDays: settings.deviceChangeNoticeDays,
        sessionLimits: settings.sessionLimits,
      }),
    );
  };
}

/** The Vite-built pages, under the base path; missing only before the first build. */
export async function registerStaticPages(app: FastifyInstance, webDir: string): Promise<void> {
  if (!existsSync(webDir)) {
    app.log.warn({ webDir }, 'pages are not built (npm run build): only the API is served');
    return;
  }
  await app.register(fastifyStatic, { root: webDir, prefix: '/', index: ['index.html'], redirect: true, wildcard: true });
  // With ignoreTrailingSlash, `/asistencia/` is routed as `/asistencia`, which the static wildcard misses.
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
}
