import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMPOSE_FILES,
  composeProject,
  isMapping,
  parsePort,
  parseVolume,
  readComposeFile,
  referencedVariables,
  REPO_ROOT,
  sampleEnvironment,
  schemaErrors,
  services,
  type Mapping,
} from './compose.js';

// The compose files as the engine gets them (docker-compose v1's `config`: merged, interpolated, validated):
// each file and each combination an operator runs is a valid Compose document, and the promises of
// docs/operations.md hold in what the engine would get.

const env = sampleEnvironment();
const DEV = ['compose.yaml', 'compose.dev.yaml'] as const;
const PROD = ['compose.yaml', 'compose.prod.yaml'] as const;
const dev = await composeProject(DEV, env);
const prod = await composeProject(PROD, env);
const HA = ['compose.yaml', 'compose.prod.yaml', 'compose.ha.yaml'] as const;
const ha = await composeProject(HA, env);
const SERVICES = ['asistencia-php', 'asistencia-node', 'asistencia-postgres', 'asistencia-valkey'];
/** Production runs node-service three times behind Apache's balancer (replicas.test.ts). */
const PROD_SERVICES = [...SERVICES, 'asistencia-node-2', 'asistencia-node-3'];

function publishedPorts(project: Mapping): { service: string; hostIp: string; published: string; target: number }[] {
  return Object.entries(services(project)).flatMap(([service, s]) =>
    (Array.isArray(s.ports) ? s.ports : []).map((entry: unknown) => ({ service, ...parsePort(entry) })),
  );
}

function environmentOf(service: Mapping): Record<string, string> {
  return isMapping(service.environment) ? (service.environment as Record<string, string>) : {};
}

describe('the Compose Specification schema', () => {
  it.each(COMPOSE_FILES)('%s is valid on its own', (file) => {
    expect(schemaErrors(readComposeFile(file))).toEqual([]);
  });

  it.each([
    ['compose.yaml + compose.dev.yaml', dev],
    ['compose.yaml + compose.prod.yaml', prod],
    ['compose.yaml + compose.prod.yaml + compose.ha.yaml', ha],
  ])('%s, merged and interpolated, is valid', (_name, project) => {
    expect(schemaErrors(project)).toEqual([]);
  });

  it('refuses what is not Compose (so the check can fail)', () => {
    const base = readComposeFile('compose.yaml');
    const broken = { ...base, services: { ...services(base), 'asistencia-node': { restart: 'unless-stopped', healthcheck: { test: 'x', intervall: '5s' } } } };
    expect(schemaErrors(broken).join('\n')).toContain('intervall');
  });
});

describe('production (compose.yaml + compose.prod.yaml)', () => {
  it('runs the four services, node-service three times', () => {
    expect(Object.keys(services(prod)).sort()).toEqual([...PROD_SERVICES].sort());
  });

  it('publishes only Apache: its HTTP and HTTPS listeners', () => {
    const ports = publishedPorts(prod);
    expect(ports.map((p) => p.service)).toEqual(['asistencia-php', 'asistencia-php']);
    expect(ports.map((p) => p.target).sort()).toEqual([8080, 8443]);
    expect(ports.map((p) => p.published).sort()).toEqual(['443', '80']);
    for (const s of Object.values(services(prod))) {
      expect(s.network_mode).toBeUndefined();
      expect(s.expose).toBeUndefined();
    }
  });

  it.each(PROD_SERVICES)('%s has a health check, restarts unless stopped, has CPU and memory limits', (name) => {
    const s = services(prod)[name]!;
    expect(isMapping(s.healthcheck) && Array.isArray(s.healthcheck.test) && s.healthcheck.test.length > 1).toBe(true);
    expect(isMapping(s.healthcheck) && s.healthcheck.disable).toBeFalsy();
    expect(s.restart).toBe('unless-stopped');
    expect(s.deploy).toMatchObject({ resources: { limits: { cpus: expect.any(Number), memory: expect.any(String) } } });
  });

  it('has the limits of the seed system', () => {
    const limits = Object.fromEntries(
      // docker-compose prints cpus as a number (1.0): compared as compose files write it.
      Object.entries(services(prod)).map(([name, s]) => {
        const { cpus, memory } = (s.deploy as { resources: { limits: { cpus: number; memory: string } } }).resources.limits;
        return [name, { cpus: String(cpus), memory }];
      }),
    );
    expect(limits).toEqual({
      'asistencia-php': { cpus: '1', memory: '1G' },
      'asistencia-node': { cpus: '1', memory: '512M' },
      'asistencia-node-2': { cpus: '1', memory: '512M' },
      'asistencia-node-3': { cpus: '1', memory: '512M' },
      'asistencia-postgres': { cpus: '1', memory: '1G' },
      'asistencia-valkey': { cpus: '0.5', memory: '256M' },
    });
  });

  it('reads every secret from a compose secret file, through *_FILE settings', () => {
    const declared = prod.secrets as Record<string, { file: string }>;
    expect(Object.keys(declared).sort()).toEqual(
      ['database_url', 'internal_api_token', 'jwt_secret', 'postgres_password', 'tls_certificate', 'tls_private_key'],
    );
    for (const secret of Object.values(declared)) expect(relative(REPO_ROOT, secret.file)).toMatch(/^secrets\//);
    const expected: Record<string, Record<string, string>> = {
      'asistencia-php': { JWT_SECRET_FILE: 'jwt_secret', INTERNAL_API_TOKEN_FILE: 'internal_api_token', TLS_CERT: 'tls_certificate', TLS_KEY: 'tls_private_key' },
      'asistencia-node': { JWT_SECRET_FILE: 'jwt_secret', INTERNAL_API_TOKEN_FILE: 'internal_api_token', DATABASE_URL_FILE: 'database_url' },
      'asistencia-postgres': { POSTGRES_PASSWORD_FILE: 'postgres_password' },
    };
    for (const [name, files] of Object.entries(expected)) {
      const s = services(prod)[name]!;
      const mounted = (s.secrets as Array<{ source: string }>).map((secret) => secret.source).sort();
      expect(mounted, name).toEqual(Object.values(files).sort());
      for (const [setting, secret] of Object.entries(files)) expect(environmentOf(s)[setting], `${name} ${setting}`).toBe(`/run/secrets/${secret}`);
    }
    for (const [name, s] of Object.entries(services(prod))) {
      for (const plain of ['JWT_SECRET', 'INTERNAL_API_TOKEN', 'DATABASE_URL', 'POSTGRES_PASSWORD', 'VALKEY_PASSWORD']) {
        expect(environmentOf(s)[plain], `${name} must not get ${plain} as a value in production`).toBeUndefined();
      }
    }
  });

  it('refuses to start the portal with a made-up certificate', () => {
    expect(environmentOf(services(prod)['asistencia-php']!).ASISTENCIA_TLS_SELF_SIGNED).toBe('never');
  });

  it('starts the portal with no demo accounts (PORTAL_SEED=none)', () => {
    expect(environmentOf(services(prod)['asistencia-php']!).PORTAL_SEED).toBe('none');
  });

  it('redirects plain HTTP to the public HTTPS origin, which is PUBLIC_URL (the port clients use)', async () => {
    const php = environmentOf(services(prod)['asistencia-php']!);
    expect(php.ASISTENCIA_REDIRECT_HTTPS).toBe('on');
    expect(php.ASISTENCIA_PUBLIC_HTTPS_ORIGIN).toBe(env.PUBLIC_URL);
    expect(php.ASISTENCIA_PUBLIC_HTTPS_ORIGIN).toBe(environmentOf(services(prod)['asistencia-node']!).PUBLIC_URL);
    expect(php.ASISTENCIA_PUBLIC_HTTPS_ORIGIN).toMatch(/^https:\/\/[^/]+$/);
    const onOtherPort = await composeProject(PROD, { ...env, PUBLIC_URL: 'https://asistencia.example.edu:8443', ASISTENCIA_HTTPS_PORT: '8443' });
    expect(environmentOf(services(onOtherPort)['asistencia-php']!).ASISTENCIA_PUBLIC_HTTPS_ORIGIN).toBe('https://asistencia.example.edu:8443');
  });

  it('demands the public URL and host name instead of defaulting them', async () => {
    const { PUBLIC_URL: _url, ...withoutUrl } = env;
    await expect(composeProject(PROD, withoutUrl)).rejects.toThrow('PUBLIC_URL');
    const { ASISTENCIA_SERVER_NAME: _name, ...withoutName } = env;
    await expect(composeProject(PROD, withoutName)).rejects.toThrow('ASISTENCIA_SERVER_NAME');
  });

  it('mounts no source: only PostgreSQL reads the migrations and function files (read-only) on its first start', () => {
    for (const [name, s] of Object.entries(services(prod))) {
      const binds = (Array.isArray(s.volumes) ? s.volumes : []).map(parseVolume).filter((v) => v.type === 'bind');
      if (name !== 'asistencia-postgres') expect(binds, name).toEqual([]);
      for (const bind of binds) {
        expect(relative(REPO_ROOT, bind.source)).toMatch(/^database\//);
        expect(bind.target).toMatch(/^\/docker-entrypoint-initdb\.d\//);
        expect(bind.options).toContain('ro');
      }
    }
    // init.sh looks for both folders beside itself (database/init.sh, MIGRATIONS_DIR and FUNCTIONS_DIR).
    const postgres = (services(prod)['asistencia-postgres']!.volumes as unknown[]).map(parseVolume).filter((v) => v.type === 'bind');
    expect(postgres.map((v) => [relative(REPO_ROOT, v.source), v.target])).toEqual(
      expect.arrayContaining([
        ['database/migrations', '/docker-entrypoint-initdb.d/migrations'],
        ['database/functions', '/docker-entrypoint-initdb.d/functions'],
      ]),
    );
  });

  it('runs every service on a read-only root filesystem, with tmpfs where it writes scratch files', () => {
    for (const [name, s] of Object.entries(services(prod))) expect(s.read_only, name).toBe(true);
    expect(services(prod)['asistencia-php']!.tmpfs).toEqual([expect.stringMatching(/^\/tmp:/)]);
    expect(services(prod)['asistencia-postgres']!.tmpfs).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/var\/run\/postgresql/)]),
    );
  });
});

describe('high availability (compose.yaml + compose.prod.yaml + compose.ha.yaml)', () => {
  const NODES = ['asistencia-node', 'asistencia-node-2', 'asistencia-node-3'];
  const SENTINELS = ['asistencia-sentinel-1', 'asistencia-sentinel-2', 'asistencia-sentinel-3'];
  const MEMBERS = ['asistencia-pg-1', 'asistencia-pg-2'];
  const HA_SERVICES = [...PROD_SERVICES, ...MEMBERS, 'asistencia-etcd', 'asistencia-valkey-replica', ...SENTINELS];
  const haproxy = readFileSync(join(REPO_ROOT, 'containers/ha/haproxy/haproxy.cfg'), 'utf8');

  it('runs production with a standby for each store: two Patroni members and etcd, a Valkey replica and three sentinels', () => {
    expect(Object.keys(services(ha)).sort()).toEqual([...HA_SERVICES].sort());
  });

  it.each(HA_SERVICES)('%s has a health check, restarts unless stopped, has limits and a read-only root', (name) => {
    const s = services(ha)[name]!;
    expect(isMapping(s.healthcheck) && Array.isArray(s.healthcheck.test) && s.healthcheck.test.length > 1).toBe(true);
    expect(s.restart).toBe('unless-stopped');
    expect(s.deploy).toMatchObject({ resources: { limits: { cpus: expect.any(Number), memory: expect.any(String) } } });
    expect(s.read_only).toBe(true);
  });

  it('publishes only Apache, as production does', () => {
    expect(publishedPorts(ha).map((p) => p.service)).toEqual(['asistencia-php', 'asistencia-php']);
  });

  it('every dependency waits for a healthy service', () => {
    for (const [name, s] of Object.entries(services(ha))) {
      for (const [dependency, how] of Object.entries(isMapping(s.depends_on) ? s.depends_on : {})) {
        expect(how, `${name} → ${dependency}`).toMatchObject({ condition: 'service_healthy' });
        expect(services(ha)[dependency]?.healthcheck, dependency).toBeDefined();
      }
    }
  });

  it.each(NODES)('%s finds the Valkey primary through the three sentinels, and PostgreSQL through HAProxy', (name) => {
    const node = environmentOf(services(ha)[name]!);
    expect(node.VALKEY_SENTINELS!.split(',').sort()).toEqual(SENTINELS.map((s) => `${s}:26379`));
    for (const sentinel of SENTINELS) expect(environmentOf(services(ha)[sentinel]!).SENTINEL_MASTER).toBe(node.VALKEY_SENTINEL_MASTER);
    // DATABASE_URL (the database_url secret) names asistencia-postgres, which is HAProxy here.
    expect(node.DATABASE_URL_FILE).toBe('/run/secrets/database_url');
    expect(services(ha)['asistencia-postgres']!.image).toMatch(/^localhost\/asistencia-ha-haproxy:/);
    expect(Object.keys(services(ha)[name]!.depends_on as Mapping)).toEqual(expect.arrayContaining(['asistencia-postgres', ...SENTINELS]));
  });

  it('HAProxy sends connections only to the member whose Patroni answers GET /primary, and cuts them when it stops', () => {
    expect(haproxy).toMatch(/^\s*option httpchk GET \/primary$/m);
    expect(haproxy).toMatch(/^\s*http-check expect status 200$/m);
    expect(haproxy).toMatch(/^\s*default-server .*on-marked-down shutdown-sessions/m);
    const servers = [...haproxy.matchAll(/^\s*server (\S+) (\S+):5432 check port 8008$/gm)].map((m) => [m[1], m[2]]);
    expect(servers).toEqual(MEMBERS.map((member) => [member, member]));
  });

  it('runs Patroni with synchronous replication, each member under its own name, on its own volume', () => {
    for (const member of MEMBERS) {
      const patroni = environmentOf(services(ha)[member]!);
      expect(patroni.PATRONI_SYNCHRONOUS).toBe('on');
      expect(patroni.PATRONI_NAME).toBe(member);
      expect(patroni.PATRONI_ETCD3_HOSTS).toBe('asistencia-etcd:2379');
      const volumes = (services(ha)[member]!.volumes as unknown[]).map(parseVolume);
      expect(volumes).toEqual([expect.objectContaining({ type: 'volume', source: `${member.replace('asistencia-', '')}-data`, target: '/var/lib/postgresql/data' })]);
    }
  });

  it('reads the Patroni passwords from secret files, through *_FILE settings', () => {
    const declared = ha.secrets as Record<string, { file: string }>;
    for (const name of ['patroni_superuser_password', 'patroni_replication_password']) {
      expect(relative(REPO_ROOT, declared[name]!.file)).toBe(`secrets/${name}`);
    }
    for (const member of MEMBERS) {
      const s = services(ha)[member]!;
      expect((s.secrets as Array<{ source: string }>).map((secret) => secret.source).sort()).toEqual(
        ['patroni_replication_password', 'patroni_superuser_password', 'postgres_password'],
      );
      expect(environmentOf(s)).toMatchObject({
        PATRONI_SUPERUSER_PASSWORD_FILE: '/run/secrets/patroni_superuser_password',
        PATRONI_REPLICATION_PASSWORD_FILE: '/run/secrets/patroni_replication_password',
        ASISTENCIA_PASSWORD_FILE: '/run/secrets/postgres_password',
      });
    }
  });

  it('announces the Valkey servers by host name, so the sentinels find a recreated one again', () => {
    for (const name of ['asistencia-valkey', 'asistencia-valkey-replica']) {
      const command = services(ha)[name]!.command as string[];
      expect(command[command.indexOf('--replica-announce-ip') + 1]).toBe(name);
      expect(command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    }
    expect(services(ha)['asistencia-valkey-replica']!.command).toEqual(expect.arrayContaining(['--replicaof', 'asistencia-valkey', '6379']));
  });
});

describe('development (compose.yaml + compose.dev.yaml)', () => {
  it('publishes exactly 9500-9505, each to its listener', () => {
    const ports = Object.fromEntries(publishedPorts(dev).map((p) => [p.published, `${p.service}:${p.target}`]));
    expect(ports).toEqual({
      '9500': 'asistencia-php:8080',
      '9505': 'asistencia-php:8443',
      '9501': 'asistencia-postgres:5432',
      '9502': 'asistencia-valkey:6379',
      '9503': 'asistencia-node:3000',
      '9504': 'asistencia-node:9504',
    });
  });

  it('keeps the stores and the service on the loopback address; Apache is reachable from phones', () => {
    for (const p of publishedPorts(dev)) {
      expect(p.hostIp, `${p.published}`).toBe(p.service === 'asistencia-php' ? '' : '127.0.0.1');
    }
  });

  it('mounts the source for live reload, and runs the development image', () => {
    const node = services(dev)['asistencia-node']!;
    expect((node.build as Mapping).target).toBe('development');
    const targets = (node.volumes as unknown[]).map((v) => parseVolume(v).target);
    expect(targets).toEqual(
      expect.arrayContaining(['/app/node-service/src', '/app/node-service/web', '/app/database/migrations', '/app/database/functions']),
    );
    const php = services(dev)['asistencia-php']!;
    expect((php.volumes as unknown[]).map((v) => parseVolume(v).target)).toEqual(
      expect.arrayContaining(['/srv/asistencia/php-legacy', '/srv/asistencia/apache-config']),
    );
  });

  it('seeds the portal with the demo accounts and serves plain HTTP without redirecting it', () => {
    const php = environmentOf(services(dev)['asistencia-php']!);
    expect(php.PORTAL_SEED).toBe('demo');
    expect(php.ASISTENCIA_REDIRECT_HTTPS ?? 'off').toBe('off');
  });

  it('takes the secrets from .env, and stops when they are missing', async () => {
    expect(environmentOf(services(dev)['asistencia-node']!).JWT_SECRET).toBe(env.JWT_SECRET);
    expect(environmentOf(services(dev)['asistencia-php']!).JWT_SECRET).toBe(env.JWT_SECRET);
    const { JWT_SECRET: _secret, ...withoutSecret } = env;
    await expect(composeProject(DEV, withoutSecret)).rejects.toThrow('JWT_SECRET');
  });
});

describe('every file', () => {
  const raw = Object.fromEntries(COMPOSE_FILES.map((file) => [file, readComposeFile(file)]));

  it.each(COMPOSE_FILES)('%s holds no secret value: secrets are ${VARIABLES} or files', (file) => {
    const doc = raw[file]!;
    for (const [name, s] of Object.entries(isMapping(doc.services) ? doc.services : {})) {
      for (const [key, value] of Object.entries(environmentOf(s as Mapping))) {
        const text = String(value);
        if (/SECRET|PASSWORD|TOKEN|CREDENTIAL|PRIVATE/.test(key) && !key.endsWith('_FILE')) {
          expect(text, `${file} ${name} ${key}`).toMatch(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/);
        }
        const credentials = /^[a-z]+:\/\/[^:/@]+:([^@]+)@/.exec(text);
        if (credentials) expect(credentials[1], `${file} ${name} ${key}`).toMatch(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/);
      }
    }
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    for (const value of Object.values(sampleEnvironment())) expect(text).not.toContain(value);
  });

  it('.env.example holds placeholders only', () => {
    const text = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
    const settings = Object.fromEntries(
      text.split('\n').filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const key of ['JWT_SECRET', 'INTERNAL_API_TOKEN', 'POSTGRES_PASSWORD']) expect(settings[key], key).toBe('');
    const used = new Set(COMPOSE_FILES.flatMap((file) => [...referencedVariables(raw[file])]));
    expect(Object.keys(settings).sort()).toEqual([...used].sort());
  });

  it.each(COMPOSE_FILES)('%s labels every bind mount for SELinux (:z when several containers read it)', (file) => {
    const binds = Object.entries(isMapping(raw[file]!.services) ? raw[file]!.services : {}).flatMap(([name, s]) =>
      (Array.isArray((s as Mapping).volumes) ? ((s as Mapping).volumes as unknown[]) : []).map((v) => ({ name, ...parseVolume(v) })),
    ).filter((v) => v.type === 'bind');
    for (const bind of binds) expect(bind.options.filter((o) => o === 'z' || o === 'Z'), `${file} ${bind.source}`).toHaveLength(1);
  });

  it.each([
    ['dev', dev],
    ['prod', prod],
  ])('a path mounted into several %s containers is labelled shared (:z), never private', (_name, project) => {
    const readers = new Map<string, Set<string>>();
    for (const [name, s] of Object.entries(services(project))) {
      for (const v of (Array.isArray(s.volumes) ? s.volumes : []).map(parseVolume).filter((m) => m.type === 'bind')) {
        readers.set(v.source, (readers.get(v.source) ?? new Set()).add(name));
        if (v.options.includes('Z')) {
          const overlaps = (m: { type: string; source: string }) =>
            m.type === 'bind' && (m.source.startsWith(v.source) || v.source.startsWith(m.source));
          const others = Object.entries(services(project)).filter(
            ([other, o]) => other !== name && (Array.isArray(o.volumes) ? o.volumes : []).map(parseVolume).some(overlaps),
          );
          expect(others.map(([other]) => other), `${v.source} is private to ${name}`).toEqual([]);
        }
      }
    }
    expect(readers.size).toBeGreaterThan(0);
  });

  it.each([
    ['dev', dev],
    ['prod', prod],
  ])('%s: every dependency waits for a healthy service', (_name, project) => {
    for (const [name, s] of Object.entries(services(project))) {
      for (const [dependency, how] of Object.entries(isMapping(s.depends_on) ? s.depends_on : {})) {
        expect(how, `${name} → ${dependency}`).toMatchObject({ condition: 'service_healthy' });
        expect(services(project)[dependency]?.healthcheck, dependency).toBeDefined();
      }
    }
    expect(services(project)['asistencia-node']!.depends_on).toEqual({
      'asistencia-postgres': { condition: 'service_healthy' },
      'asistencia-valkey': { condition: 'service_healthy' },
    });
  });

  it.each([
    ['dev', dev],
    ['prod', prod],
  ])('%s: node-service runs as a non-root user', (_name, project) => {
    const user = String(services(project)['asistencia-node']!.user ?? '');
    expect(user).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
  });

  it('keeps the stores\' data in named volumes, and Valkey appends every write to its log', () => {
    for (const project of [dev, prod]) {
      const volumeOf = (name: string, target: string) =>
        (services(project)[name]!.volumes as unknown[]).map(parseVolume).find((v) => v.target === target);
      expect(volumeOf('asistencia-postgres', '/var/lib/postgresql/data')).toMatchObject({ type: 'volume', source: 'postgres-data' });
      expect(volumeOf('asistencia-valkey', '/data')).toMatchObject({ type: 'volume', source: 'valkey-data' });
      expect(volumeOf('asistencia-php', '/var/lib/asistencia')).toMatchObject({ type: 'volume', source: 'portal-data' });
      expect(services(project)['asistencia-valkey']!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
      expect(Object.keys(project.volumes as Mapping).sort()).toEqual(['portal-data', 'postgres-data', 'valkey-data']);
    }
    // Debian-based images, the same major versions the tests run (POSTGRES_IMAGE/VALKEY_IMAGE name local stand-ins).
    expect(services(prod)['asistencia-postgres']!.image).toBe('docker.io/library/postgres:15-bookworm');
    expect(services(prod)['asistencia-valkey']!.image).toBe('docker.io/valkey/valkey:8-bookworm');
  });
});
