import { z } from 'zod';
import { ltiErrors } from '../domain/errors.js';
import type { RegistrationClient, ToolUrls } from '../application/registration.js';
import { SCOPES } from './platform-services.js';

const TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

/** The platform's OpenID configuration (Dynamic Registration 1.0 §3.4): what the tool needs of it. */
const configurationSchema = z.object({
  issuer: httpUrl,
  authorization_endpoint: httpUrl,
  token_endpoint: httpUrl,
  jwks_uri: httpUrl,
  registration_endpoint: httpUrl,
  [PLATFORM_CONFIGURATION]: z.object({ product_family_code: z.string().max(200).optional() }).optional(),
});

/** The platform's answer to the registration (§3.6): the client id it made, and the deployment. */
const registeredSchema = z.object({
  client_id: z.string().min(1).max(255),
  [TOOL_CONFIGURATION]: z.object({ deployment_id: z.string().min(1).max(255).optional() }).optional(),
});

/** Dynamic Registration over HTTP: read the platform's configuration, post the tool's (§3.5). */
export function createRegistrationClient(options: { timeoutMs: number }): RegistrationClient {
  const send = async (url: string, init: RequestInit, what: string) => {
    try {
      const response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) });
      if (!response.ok) throw ltiErrors.LTI_REGISTRATION_INVALID({ reason: `${what} answered HTTP ${response.status}` });
      return await response.json();
    } catch (error) {
      if (error instanceof Error && error.name === 'AppError') throw error;
      throw ltiErrors.LTI_REGISTRATION_INVALID({ reason: `${what} did not answer JSON` });
    }
  };
  return {
    async configuration(url) {
      const parsed = configurationSchema.safeParse(await send(url, { headers: { accept: 'application/json' } }, 'the configuration'));
      if (!parsed.success) throw ltiErrors.LTI_REGISTRATION_INVALID({ reason: 'the configuration lacks an endpoint' });
      const c = parsed.data;
      return {
        issuer: c.issuer,
        authorizationEndpoint: c.authorization_endpoint,
        tokenEndpoint: c.token_endpoint,
        jwksUri: c.jwks_uri,
        registrationEndpoint: c.registration_endpoint,
        productName: c[PLATFORM_CONFIGURATION]?.product_family_code ?? null,
      };
    },
    async register(endpoint, registrationToken, urls: ToolUrls) {
      const body = {
        application_type: 'web',
        response_types: ['id_token'],
        grant_types: ['implicit', 'client_credentials'],
        initiate_login_uri: urls.login,
        redirect_uris: [urls.launch],
        client_name: 'Asistencia',
        jwks_uri: urls.jwks,
        token_endpoint_auth_method: 'private_key_jwt',
        scope: [SCOPES.lineItem, SCOPES.score, SCOPES.memberships].join(' '),
        [TOOL_CONFIGURATION]: {
          domain: urls.domain,
          target_link_uri: urls.launch,
          claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
          messages: [
            { type: 'LtiResourceLinkRequest', target_link_uri: urls.launch },
            { type: 'LtiDeepLinkingRequest', target_link_uri: urls.launch, label: 'Asistencia' },
          ],
        },
      };
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (registrationToken) headers.authorization = `Bearer ${registrationToken}`;
      const parsed = registeredSchema.safeParse(await send(endpoint, { method: 'POST', headers, body: JSON.stringify(body) }, 'the registration endpoint'));
      if (!parsed.success) throw ltiErrors.LTI_REGISTRATION_INVALID({ reason: 'the platform gave no client id' });
      return { clientId: parsed.data.client_id, deploymentId: parsed.data[TOOL_CONFIGURATION]?.deployment_id ?? null };
    },
  };
}
