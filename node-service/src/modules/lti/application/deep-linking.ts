import { CLAIM } from '../domain/claims.js';
import type { CourseLinkRepository, LaunchServices, Platform, ToolKeys } from './ports.js';

/** The claims of a Deep Linking 2.0 response (§4.5) that are not in LTI Core's CLAIM list. */
const CONTENT_ITEMS = 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items';
const DATA = 'https://purl.imsglobal.org/spec/lti-dl/claim/data';
/** How long the platform has to accept the response. */
const RESPONSE_TTL_SECONDS = 600;

export interface DeepLinkRequest {
  platform: Platform;
  deploymentId: string;
  contextId: string;
  contextTitle: string;
  returnUrl: string;
  data: string | undefined;
  services: LaunchServices;
  personId: string;
  courseId: string;
}

/**
 * A teacher places "Asistencia" in an LMS course (Deep Linking 2.0): the LMS course is linked to the chosen
 * Asistencia course and the platform receives one LTI resource link, signed with the tool's key.
 */
export function createDeepLinking(deps: {
  links: Pick<CourseLinkRepository, 'link'>;
  keys: Pick<ToolKeys, 'sign'>;
  launchUrl: string;
  assertTeaches: (personId: string, courseId: string) => Promise<void>;
  random: () => string;
}) {
  return {
    async respond(request: DeepLinkRequest): Promise<{ returnUrl: string; jwt: string }> {
      await deps.assertTeaches(request.personId, request.courseId);
      await deps.links.link({
        platformId: request.platform.id,
        contextId: request.contextId,
        courseId: request.courseId,
        contextTitle: request.contextTitle,
        ...request.services,
      });
      const jwt = await deps.keys.sign(
        {
          iss: request.platform.clientId,
          aud: request.platform.issuer,
          nonce: deps.random(),
          [CLAIM.messageType]: 'LtiDeepLinkingResponse',
          [CLAIM.version]: '1.3.0',
          [CLAIM.deploymentId]: request.deploymentId,
          [CONTENT_ITEMS]: [
            {
              type: 'ltiResourceLink',
              title: 'Asistencia',
              text: 'Asistencia a clases con código QR y llave de acceso',
              url: deps.launchUrl,
              custom: { asistencia_course: request.courseId },
            },
          ],
          ...(request.data === undefined ? {} : { [DATA]: request.data }),
        },
        { expiresInSeconds: RESPONSE_TTL_SECONDS },
      );
      return { returnUrl: request.returnUrl, jwt };
    },
  };
}

export type DeepLinking = ReturnType<typeof createDeepLinking>;
