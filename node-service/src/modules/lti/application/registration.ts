import { ltiErrors } from '../domain/errors.js';
import type { NewPlatform, Platform, PlatformRepository } from './ports.js';

/** The tool's own addresses, which an LMS administrator copies (docs/lms.md) or Dynamic Registration sends. */
export interface ToolUrls {
  login: string;
  launch: string;
  jwks: string;
  register: string;
  domain: string;
}

/** What Dynamic Registration 1.0 reads of the platform's OpenID configuration (§3.4). */
interface PlatformConfiguration {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  registrationEndpoint: string;
  productName: string | null;
}

export interface RegistrationClient {
  configuration(url: string): Promise<PlatformConfiguration>;
  /** Posts the tool's registration (§3.5); answers the client id and the deployment the platform made. */
  register(endpoint: string, registrationToken: string | undefined, toolUrls: ToolUrls): Promise<{ clientId: string; deploymentId: string | null }>;
}

/**
 * Registering a platform: by hand (the admin's form) or by LTI Dynamic Registration 1.0, which an admin
 * starts by making a one-time link to paste into the LMS, so no stranger can register a platform.
 */
export function createRegistrationService(deps: {
  platforms: PlatformRepository;
  client: RegistrationClient;
  urls: ToolUrls;
  invitationTtlMs: number;
  newToken: () => string;
  hash: (token: string) => string;
  now: () => number;
}) {
  return {
    list: () => deps.platforms.list(),
    create: (platform: Omit<NewPlatform, 'registeredBy'>) => deps.platforms.create({ ...platform, registeredBy: 'manual' }),
    async addDeployment(platformId: string, deploymentId: string): Promise<Platform> {
      if (!(await deps.platforms.find(platformId))) throw ltiErrors.LTI_PLATFORM_NOT_FOUND();
      await deps.platforms.addDeployment(platformId, deploymentId);
      return (await deps.platforms.find(platformId))!;
    },
    async remove(platformId: string): Promise<void> {
      if (!(await deps.platforms.remove(platformId))) throw ltiErrors.LTI_PLATFORM_NOT_FOUND();
    },

    /** A one-time link for Dynamic Registration, valid for LTI_INVITATION_TTL_HOURS. */
    async invite(adminId: string): Promise<{ url: string; expiresAt: Date }> {
      const token = deps.newToken();
      const expiresAt = new Date(deps.now() + deps.invitationTtlMs);
      await deps.platforms.saveInvitation(deps.hash(token), adminId, expiresAt);
      const url = new URL(deps.urls.register);
      url.searchParams.set('invitation', token);
      return { url: url.toString(), expiresAt };
    },

    /**
     * Dynamic Registration (§3): the platform opened our link with its configuration's address and a
     * registration token. The configuration must be served from the issuer's own origin; the platform is
     * stored, and the invitation used up, only when the platform accepted the registration.
     */
    async dynamic(input: { invitation: string; openidConfiguration: string; registrationToken: string | undefined }): Promise<Platform> {
      const invitationHash = deps.hash(input.invitation);
      if (!(await deps.platforms.invitationValid(invitationHash))) throw ltiErrors.LTI_INVITATION_INVALID();
      const configuration = await deps.client.configuration(input.openidConfiguration);
      if (new URL(configuration.issuer).origin !== new URL(input.openidConfiguration).origin) {
        throw ltiErrors.LTI_REGISTRATION_INVALID({ reason: 'the configuration is not served by its issuer' });
      }
      const { clientId, deploymentId } = await deps.client.register(configuration.registrationEndpoint, input.registrationToken, deps.urls);
      const platform = await deps.platforms.createInvited(
        {
          issuer: configuration.issuer,
          clientId,
          name: configuration.productName ?? new URL(configuration.issuer).host,
          authUrl: configuration.authorizationEndpoint,
          tokenUrl: configuration.tokenEndpoint,
          jwksUrl: configuration.jwksUri,
          registeredBy: 'dynamic',
          deployments: deploymentId ? [deploymentId] : [],
        },
        invitationHash,
      );
      if (!platform) throw ltiErrors.LTI_INVITATION_INVALID();
      return platform;
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
