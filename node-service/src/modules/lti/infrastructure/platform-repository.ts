import { SqlState, sqlStateOf, type SqlDatabase, type SqlExecutor } from '../../../shared/storage/sql.js';
import { ltiErrors } from '../domain/errors.js';
import type { NewPlatform, Platform, PlatformRepository } from '../application/ports.js';

const SELECT_PLATFORMS = `
  SELECT p.id::text AS id, p.issuer, p.client_id, p.name, p.auth_url, p.token_url, p.jwks_url, p.registered_by,
         coalesce(array_agg(d.deployment_id ORDER BY d.deployment_id) FILTER (WHERE d.deployment_id IS NOT NULL), '{}') AS deployments
  FROM lti.platforms p LEFT JOIN lti.deployments d ON d.platform_id = p.id`;
const GROUPED = `GROUP BY p.id ORDER BY p.id`;
const INSERT_PLATFORM = `
  INSERT INTO lti.platforms (issuer, client_id, name, auth_url, token_url, jwks_url, registered_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text AS id`;
const INSERT_DEPLOYMENT = `INSERT INTO lti.deployments (platform_id, deployment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
const DELETE_PLATFORM = `DELETE FROM lti.platforms WHERE id = $1`;
const INSERT_INVITATION = `INSERT INTO lti.registration_invitations (token_hash, created_by, expires_at) VALUES ($1, $2, $3)`;
const VALID_INVITATION = `SELECT 1 FROM lti.registration_invitations WHERE token_hash = $1 AND expires_at > now()`;
const USE_INVITATION = `DELETE FROM lti.registration_invitations WHERE token_hash = $1 AND expires_at > now() RETURNING 1`;
const PRUNE_INVITATIONS = `DELETE FROM lti.registration_invitations WHERE expires_at <= now()`;

interface PlatformRow {
  id: string;
  issuer: string;
  client_id: string;
  name: string;
  auth_url: string;
  token_url: string;
  jwks_url: string;
  registered_by: 'manual' | 'dynamic';
  deployments: string[];
}

const toPlatform = (r: PlatformRow): Platform => ({
  id: r.id,
  issuer: r.issuer,
  clientId: r.client_id,
  name: r.name,
  authUrl: r.auth_url,
  tokenUrl: r.token_url,
  jwksUrl: r.jwks_url,
  registeredBy: r.registered_by,
  deployments: r.deployments,
});

/** Ids are bigints: anything else is no platform (rather than a 500 from a failed cast). */
const isId = (id: string) => /^[1-9][0-9]{0,17}$/.test(id);

async function insert(tx: SqlExecutor, platform: NewPlatform): Promise<string> {
  try {
    const { rows } = await tx.query<{ id: string }>(INSERT_PLATFORM, [
      platform.issuer,
      platform.clientId,
      platform.name,
      platform.authUrl,
      platform.tokenUrl,
      platform.jwksUrl,
      platform.registeredBy,
    ]);
    const id = rows[0]!.id;
    for (const deployment of platform.deployments) await tx.query(INSERT_DEPLOYMENT, [id, deployment]);
    return id;
  } catch (error) {
    if (sqlStateOf(error) === SqlState.uniqueViolation) throw ltiErrors.LTI_REGISTRATION_EXISTS();
    throw error;
  }
}

export function createPlatformRepository(db: SqlDatabase): PlatformRepository {
  const find = async (id: string) => {
    if (!isId(id)) return null;
    const { rows } = await db.query<PlatformRow>(`${SELECT_PLATFORMS} WHERE p.id = $1 ${GROUPED}`, [id]);
    return rows[0] ? toPlatform(rows[0]) : null;
  };
  return {
    find,
    async list() {
      return (await db.query<PlatformRow>(`${SELECT_PLATFORMS} ${GROUPED}`)).rows.map(toPlatform);
    },
    async byIssuer(issuer, clientId) {
      const { rows } = clientId === undefined
        ? await db.query<PlatformRow>(`${SELECT_PLATFORMS} WHERE p.issuer = $1 ${GROUPED}`, [issuer])
        : await db.query<PlatformRow>(`${SELECT_PLATFORMS} WHERE p.issuer = $1 AND p.client_id = $2 ${GROUPED}`, [issuer, clientId]);
      return rows.map(toPlatform);
    },
    async create(platform) {
      const id = await db.transaction((tx) => insert(tx, platform));
      return (await find(id))!;
    },
    async createInvited(platform, invitationHash) {
      const id = await db.transaction(async (tx) => {
        const used = await tx.query(USE_INVITATION, [invitationHash]);
        if ((used.rowCount ?? 0) === 0) return null;
        return insert(tx, platform);
      });
      return id === null ? null : find(id);
    },
    async addDeployment(platformId, deploymentId) {
      await db.query(INSERT_DEPLOYMENT, [platformId, deploymentId]);
    },
    async remove(platformId) {
      if (!isId(platformId)) return false;
      return ((await db.query(DELETE_PLATFORM, [platformId])).rowCount ?? 0) > 0;
    },
    async saveInvitation(tokenHash, createdBy, expiresAt) {
      await db.query(PRUNE_INVITATIONS);
      await db.query(INSERT_INVITATION, [tokenHash, createdBy, expiresAt]);
    },
    async invitationValid(tokenHash) {
      return (await db.query(VALID_INVITATION, [tokenHash])).rows.length > 0;
    },
  };
}
