import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, type Mapping, isMapping } from '../containers/compose.js';

/**
 * The Kubernetes manifests as a cluster would get them: `kubectl kustomize` (kustomize 5, built into
 * kubectl) renders an overlay of deploy/kubernetes, offline. The overlays make their Secrets from files
 * under their own secrets/ folder, which git ignores: the render runs on a copy of the tree with
 * placeholder files there, so no secret value is ever read from or written to the repository.
 */

export const KUBERNETES_DIR = resolve(REPO_ROOT, 'deploy/kubernetes');
export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** The files each overlay's secretGenerator reads (compose.prod.yaml's secrets, by the same names). */
export const SECRET_FILES = {
  database_url: 'postgres://asistencia:placeholder-postgres-password@asistencia-postgres-rw:5432/asistencia',
  database_replica_url: 'postgres://asistencia:placeholder-postgres-password@asistencia-postgres-ro:5432/asistencia',
  jwt_secret: 'placeholder-jwt-secret-at-least-32-bytes-long-0123456789',
  internal_api_token: 'placeholder-internal-token-at-least-32-bytes-0123456789',
  postgres_password: 'placeholder-postgres-password',
  'tls_certificate.pem': '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----',
  'tls_private_key.pem': '-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----',
} as const;

/** Why the render cannot run here, or undefined when kubectl with its built-in kustomize is installed. */
export function kustomizeMissing(): string | undefined {
  try {
    const version = execFileSync('kubectl', ['version', '--client', '--output=json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /"kustomizeVersion":\s*"v[5-9]/.test(version) ? undefined : 'kubectl has no kustomize 5 built in';
  } catch {
    return 'kubectl is not installed (it brings kustomize: `kubectl kustomize`)';
  }
}

export interface Render {
  docs: Mapping[];
  /** The copy of deploy/kubernetes the render ran on (secrets/ filled with placeholders). */
  dir: string;
}

/** Copies deploy/kubernetes (without any secrets/ folder) to a temporary folder with placeholder secrets. */
function copyWithPlaceholderSecrets(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asistencia-k8s-'));
  cpSync(KUBERNETES_DIR, dir, { recursive: true, filter: (source) => !source.split('/').includes('secrets') });
  for (const overlay of OVERLAYS) {
    mkdirSync(join(dir, 'overlays', overlay, 'secrets'), { recursive: true });
    for (const [name, value] of Object.entries(SECRET_FILES)) writeFileSync(join(dir, 'overlays', overlay, 'secrets', name), `${value}\n`);
  }
  return dir;
}

/** `kubectl kustomize` of one overlay of the tree at `dir`; rejects with kustomize's message. */
async function kustomize(dir: string, overlay: string): Promise<Mapping[]> {
  const { stdout } = await promisify(execFile)('kubectl', ['kustomize', join(dir, 'overlays', overlay)], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc, index) => {
    const value: unknown = doc.toJS();
    if (!isMapping(value)) throw new Error(`document ${index} of ${overlay} is not a mapping`);
    return value;
  });
}

export async function renderOverlay(overlay: Overlay): Promise<Render> {
  const dir = copyWithPlaceholderSecrets();
  return { docs: await kustomize(dir, overlay), dir };
}

export function removeRender(render: Render): void {
  rmSync(render.dir, { recursive: true, force: true });
}
