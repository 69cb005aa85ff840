import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

/**
 * Compose files as the engine gets them: docker-compose v1's `config` (the one CI installs) interpolates,
 * merges file over file and validates, offline; no engine runs. Each raw file is also checked against the
 * Compose Specification JSON schema, and read as YAML for what only the raw text shows (secrets, variables).
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export type Mapping = Record<string, unknown>;

export const COMPOSE_FILES = ['compose.yaml', 'compose.dev.yaml', 'compose.prod.yaml', 'compose.ha.yaml'] as const;

export function readComposeFile(name: string): Mapping {
  return parseCompose(readFileSync(resolve(REPO_ROOT, name), 'utf8'), name);
}

/** YAML as compose reads it: merge keys ("<<: *anchor") included. */
function parseCompose(text: string, name: string): Mapping {
  const doc: unknown = parse(text, { merge: true });
  if (!isMapping(doc)) throw new Error(`${name} is not a YAML mapping`);
  return doc;
}

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// Schema: the Compose Specification's JSON schema as kept (and updated) in the dclint package.
// ---------------------------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const SCHEMA_PATH = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');

let validator: ((doc: unknown) => string[]) | undefined;

/** The schema's complaints about a Compose document, one line each; empty when it is valid. */
export function schemaErrors(doc: unknown): string[] {
  if (!validator) {
    // The file names draft-07 by its https URL, which Ajv does not know by that name; draft-07 is Ajv's own.
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Mapping;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    validator = (value) =>
      validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
  return validator(doc);
}

export type Environment = Record<string, string | undefined>;

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}$]|\$\$)*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The names a document refers to with ${...} or $NAME. */
export function referencedVariables(value: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(REFERENCE)) if (m[0] !== '$$') names.add((m[1] ?? m[4])!);
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (isMapping(v)) {
      Object.values(v).forEach(visit);
    }
  };
  visit(value);
  return names;
}

export interface PortMapping {
  hostIp: string;
  published: string;
  target: number;
  protocol: string;
}

/** Short ("[ip:]published:target[/proto]") or long syntax, as one shape. */
export function parsePort(entry: unknown): PortMapping {
  if (isMapping(entry)) {
    return {
      hostIp: String(entry.host_ip ?? ''),
      published: String(entry.published ?? ''),
      target: Number(entry.target),
      protocol: String(entry.protocol ?? 'tcp'),
    };
  }
  const [spec = '', protocol = 'tcp'] = String(entry).split('/');
  const parts = spec.split(':');
  const target = Number(parts.pop());
  const published = parts.pop() ?? '';
  return { hostIp: parts.join(':'), published, target, protocol };
}

export interface VolumeMount {
  type: 'bind' | 'volume' | 'tmpfs' | string;
  source: string;
  target: string;
  options: string[];
}

/** Short ("source:target[:options]") or long syntax, as one shape. */
export function parseVolume(entry: unknown): VolumeMount {
  if (isMapping(entry)) {
    const options: string[] = [];
    if (entry.read_only === true) options.push('ro');
    if (isMapping(entry.bind) && typeof entry.bind.selinux === 'string') options.push(entry.bind.selinux);
    return { type: String(entry.type), source: String(entry.source ?? ''), target: String(entry.target), options };
  }
  const parts = String(entry).split(':');
  if (parts.length === 1) return { type: 'volume', source: '', target: parts[0]!, options: [] };
  const [source = '', target = '', options = ''] = parts;
  const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
  return { type: bind ? 'bind' : 'volume', source, target, options: options ? options.split(',') : [] };
}

// ---------------------------------------------------------------------------------------------------
// The files as a project: what `docker-compose -f … -f … config` prints (absolute paths, long port syntax).
// ---------------------------------------------------------------------------------------------------

const projects = new Map<string, Promise<Mapping>>();

/** The merged, interpolated project; rejects with docker-compose's message (a required variable named). */
export function composeProject(files: readonly string[], env: Environment): Promise<Mapping> {
  const key = JSON.stringify([files, env]);
  let project = projects.get(key);
  if (!project) projects.set(key, (project = dockerComposeConfig(files, env)));
  return project;
}

export function services(project: Mapping): Record<string, Mapping> {
  if (!isMapping(project.services)) throw new Error('no services');
  return project.services as Record<string, Mapping>;
}

/** A value for every variable the files use: secrets random-looking, the rest as a real host would set. */
export function sampleEnvironment(): Environment {
  return {
    JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789abcdef',
    INTERNAL_API_TOKEN: 'test-internal-token-0123456789abcdef0123456789',
    POSTGRES_PASSWORD: 'testpostgrespassword0123456789abcdef',
    PUBLIC_URL: 'https://asistencia.example.edu',
    ASISTENCIA_SERVER_NAME: 'asistencia.example.edu',
  };
}

async function dockerComposeConfig(files: readonly string[], env: Environment): Promise<Mapping> {
  const args = ['--project-directory', REPO_ROOT, ...files.flatMap((f) => ['-f', resolve(REPO_ROOT, f)]), 'config'];
  const cleanEnv = Object.fromEntries(
    Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...env }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  // An empty --env-file keeps a developer's own .env out of the comparison.
  const dir = mkdtempSync(join(tmpdir(), 'asistencia-compose-'));
  try {
    const envFile = join(dir, 'empty.env');
    writeFileSync(envFile, '');
    const { stdout } = await promisify(execFile)('docker-compose', ['--env-file', envFile, ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv,
      timeout: 60_000,
    }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`docker-compose config refused ${files.join(' + ')}: ${error.stderr?.trim() ?? error.message}`);
    });
    const doc: unknown = parse(stdout);
    if (!isMapping(doc)) throw new Error('docker-compose config printed no mapping');
    return doc;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
