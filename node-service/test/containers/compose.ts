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
 * Compose files as podman compose (or docker compose) reads them: parsed, interpolated from an
 * environment, merged file over file by the Compose Specification's merge rules, validated against the
 * Compose Specification JSON schema. No engine is needed, and none runs here.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export type Mapping = Record<string, unknown>;

export const COMPOSE_FILES = ['compose.yaml', 'compose.dev.yaml', 'compose.prod.yaml'] as const;

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

// ---------------------------------------------------------------------------------------------------
// Interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error},
// ${VAR:+replacement}, ${VAR+replacement}; "$$" is a literal "$". Values only, never keys.
// ---------------------------------------------------------------------------------------------------

export type Environment = Record<string, string | undefined>;

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}$]|\$\$)*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function interpolate<T>(value: T, env: Environment, where = ''): T {
  if (typeof value === 'string') return interpolateString(value, env, where) as T;
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, `${where}[${i}]`)) as T;
  if (isMapping(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, `${where}.${k}`)])) as T;
  }
  return value;
}

function interpolateString(text: string, env: Environment, where: string): string {
  const out = text.replace(REFERENCE, (match, braced?: string, operator?: string, argument = '', bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare)!;
    const value = env[name];
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    const arg = argument.replace(/\$\$/g, '$');
    switch (operator) {
      case undefined:
        return value ?? '';
      case ':-':
        return nonEmpty ? value : arg;
      case '-':
        return set ? value : arg;
      case ':?':
      case '?':
        if (operator === ':?' ? nonEmpty : set) return value!;
        throw new Error(`${where}: required variable ${name} is missing: ${arg}`);
      case ':+':
        return nonEmpty ? arg : '';
      case '+':
        return set ? arg : '';
      default:
        throw new Error(`${where}: unsupported interpolation ${match}`);
    }
  });
  if (/\$\{/.test(out.replace(/\$\$/g, ''))) throw new Error(`${where}: unsupported interpolation in ${JSON.stringify(text)}`);
  return out;
}

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

// ---------------------------------------------------------------------------------------------------
// Merge, as the Compose Specification says (13-merge.md), for every attribute these files use:
// - mappings merge recursively, the later file winning on a conflict;
// - sequences append, except command, entrypoint and healthcheck.test, which the later file replaces;
// - environment, labels, depends_on, networks, sysctls, build.args may be written as lists: they are
//   turned into mappings first, then merged as mappings;
// - ports, volumes, secrets and configs are unique resources: an entry with the same key (ports: host
//   address, published port, target and protocol; volumes, secrets, configs: the target path) replaces
//   the earlier one in place, others are appended.
// ---------------------------------------------------------------------------------------------------

const REPLACED = new Set(['command', 'entrypoint']);
const LIST_OR_MAPPING = new Set(['environment', 'labels', 'depends_on', 'networks', 'sysctls', 'extra_hosts']);

export function mergeCompose(base: Mapping, override: Mapping): Mapping {
  const merged: Mapping = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === 'services' && isMapping(value)) {
      const services: Mapping = { ...(isMapping(base.services) ? base.services : {}) };
      for (const [name, service] of Object.entries(value)) {
        const earlier = services[name];
        services[name] = isMapping(earlier) && isMapping(service) ? mergeService(earlier, service) : service;
      }
      merged.services = services;
    } else {
      merged[key] = mergeValues(base[key], value);
    }
  }
  return merged;
}

function mergeService(base: Mapping, override: Mapping): Mapping {
  const merged: Mapping = { ...normaliseService(base) };
  for (const [key, value] of Object.entries(normaliseService(override))) {
    const earlier = merged[key];
    if (REPLACED.has(key) || earlier === undefined) merged[key] = value;
    else if (key === 'healthcheck' && isMapping(earlier) && isMapping(value)) merged[key] = { ...earlier, ...value };
    else if (key === 'ports') merged[key] = mergeUnique(earlier, value, portKey);
    else if (key === 'volumes') merged[key] = mergeUnique(earlier, value, volumeTarget);
    else if (key === 'secrets') merged[key] = mergeUnique(earlier, value, (s) => fileReferenceTarget(s, '/run/secrets/'));
    else if (key === 'configs') merged[key] = mergeUnique(earlier, value, (c) => fileReferenceTarget(c, '/'));
    else merged[key] = mergeValues(earlier, value);
  }
  return merged;
}

function mergeValues(base: unknown, override: unknown): unknown {
  if (isMapping(base) && isMapping(override)) {
    const merged: Mapping = { ...base };
    for (const [key, value] of Object.entries(override)) merged[key] = mergeValues(base[key], value);
    return merged;
  }
  if (Array.isArray(base) && Array.isArray(override)) return [...base, ...override];
  return override;
}

function mergeUnique(base: unknown, override: unknown, keyOf: (entry: unknown) => string): unknown[] {
  const merged = [...(Array.isArray(base) ? base : [])];
  for (const entry of Array.isArray(override) ? override : []) {
    const at = merged.findIndex((earlier) => keyOf(earlier) === keyOf(entry));
    if (at >= 0) merged[at] = entry;
    else merged.push(entry);
  }
  return merged;
}

/** List forms become mappings ("KEY=value" → KEY: value; service names → {}), so files can be merged. */
function normaliseService(service: Mapping): Mapping {
  const out: Mapping = { ...service };
  for (const key of LIST_OR_MAPPING) {
    const value = service[key];
    if (!Array.isArray(value)) continue;
    out[key] = Object.fromEntries(
      value.map((item: unknown) => {
        const text = String(item);
        if (key === 'depends_on') return [text, { condition: 'service_started' }];
        if (key === 'networks') return [text, null];
        const at = text.indexOf(key === 'extra_hosts' ? ':' : '=');
        return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
      }),
    );
  }
  if (isMapping(service.build) && Array.isArray(service.build.args)) {
    out.build = { ...service.build, args: normaliseService({ environment: service.build.args }).environment };
  }
  return out;
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

function portKey(entry: unknown): string {
  const p = parsePort(entry);
  return `${p.hostIp}|${p.published}|${p.target}|${p.protocol}`;
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

function volumeTarget(entry: unknown): string {
  return parseVolume(entry).target;
}

function fileReferenceTarget(entry: unknown, directory: string): string {
  if (isMapping(entry)) return String(entry.target ?? `${directory}${String(entry.source)}`);
  return `${directory}${String(entry)}`;
}

// ---------------------------------------------------------------------------------------------------
// The files as a project: interpolated each on its own, then merged in order.
// ---------------------------------------------------------------------------------------------------

export function composeProject(files: readonly string[], env: Environment): Mapping {
  return files
    .map((file) => interpolate(readComposeFile(file), env, file))
    .reduce((merged, next) => mergeCompose(merged, next));
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

// ---------------------------------------------------------------------------------------------------
// docker-compose v1 (`config` merges, interpolates and validates offline): the second opinion.
// ---------------------------------------------------------------------------------------------------

export async function dockerComposeConfig(files: readonly string[], env: Environment): Promise<Mapping> {
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
    });
    const doc: unknown = parse(stdout);
    if (!isMapping(doc)) throw new Error('docker-compose config printed no mapping');
    return doc;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
