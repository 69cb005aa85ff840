import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { ToolKeys } from '../application/ports.js';

/** Platforms verify the tool's messages with RS256 (LTI Core 1.3 §6.1 / Security Framework §5.4). */
const ALGORITHM = 'RS256';

const PUBLISHED = `SELECT public_jwk FROM lti.tool_keys WHERE state IN ('current', 'previous') ORDER BY state`;
const CURRENT = `SELECT kid, private_jwk FROM lti.tool_keys WHERE state = 'current'`;
const INSERT_CURRENT = `INSERT INTO lti.tool_keys (kid, state, public_jwk, private_jwk) VALUES ($1, 'current', $2, $3) ON CONFLICT DO NOTHING`;
const RETIRE_PREVIOUS = `UPDATE lti.tool_keys SET state = 'retired' WHERE state = 'previous'`;
const DEMOTE_CURRENT = `UPDATE lti.tool_keys SET state = 'previous' WHERE state = 'current'`;

async function newKey(): Promise<{ kid: string; publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(ALGORITHM, { modulusLength: 2048, extractable: true });
  const kid = randomBytes(12).toString('base64url');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM };
  return { kid, publicJwk, privateJwk };
}

/**
 * The tool's RSA keys in PostgreSQL, shared by every instance. The first use makes a current key (several
 * instances racing make one: a unique index keeps one current). Rotation demotes the current key to
 * previous (still published, so a platform that cached the JWKS keeps verifying) and retires the one before.
 */
export function createToolKeys(db: SqlDatabase): ToolKeys {
  const current = async (): Promise<{ kid: string; privateJwk: JWK }> => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { rows } = await db.query<{ kid: string; private_jwk: JWK }>(CURRENT);
      if (rows[0]) return { kid: rows[0].kid, privateJwk: rows[0].private_jwk };
      const key = await newKey();
      await db.query(INSERT_CURRENT, [key.kid, JSON.stringify(key.publicJwk), JSON.stringify(key.privateJwk)]);
    }
    throw new Error('no current LTI tool key could be made');
  };
  return {
    async jwks() {
      await current();
      const { rows } = await db.query<{ public_jwk: Record<string, unknown> }>(PUBLISHED);
      return { keys: rows.map((r) => r.public_jwk) };
    },
    async sign(claims, options) {
      const { kid, privateJwk } = await current();
      const key = await importJWK(privateJwk, ALGORITHM);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: options.typ ?? 'JWT' })
        .setIssuedAt()
        .setExpirationTime(`${options.expiresInSeconds}s`)
        .setJti(randomBytes(16).toString('hex'))
        .sign(key);
    },
    async rotate() {
      const key = await newKey();
      await db.transaction(async (tx) => {
        await tx.query(RETIRE_PREVIOUS);
        await tx.query(DEMOTE_CURRENT);
        await tx.query(INSERT_CURRENT, [key.kid, JSON.stringify(key.publicJwk), JSON.stringify(key.privateJwk)]);
      });
      return { kid: key.kid };
    },
  };
}
