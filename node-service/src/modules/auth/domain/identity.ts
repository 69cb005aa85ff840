/** Who is asking, as a verified portal token says: the only source of a user id in this service. */
export const ROLES = ['teacher', 'student', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  /** The portal's stable user id (the token's `sub`). */
  id: string;
  name: string;
  role: Role;
}

export interface VerifiedToken {
  identity: Identity;
  jti: string;
  /** Unix seconds. */
  expiresAt: number;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
