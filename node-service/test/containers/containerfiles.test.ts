import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeProject, REPO_ROOT, sampleEnvironment, services, type Mapping } from './compose.js';
import {
  all,
  commandOf,
  environmentOf,
  healthcheckOf,
  isRootUser,
  lineage,
  parseContainerfile,
  readContainerfile,
  stage,
  userOf,
  type Containerfile,
} from './containerfile.js';

// The two images, read from their Containerfiles (no engine builds them here).

const node = readContainerfile('Containerfile');
const php = readContainerfile('php-legacy/Containerfile');

/** Every path a COPY (without --from) takes from the build context, which is the repository root. */
function contextSources(file: Containerfile): string[] {
  return file.stages.flatMap((s) =>
    all(s, 'COPY')
      .filter((copy) => copy.options.from === undefined)
      .flatMap((copy) => copy.rest.split(/\s+/).slice(0, -1)),
  );
}

/** .containerignore patterns as regular expressions (leading "**\/" = any depth; "!" re-includes). */
function ignored(path: string): boolean {
  const lines = readFileSync(join(REPO_ROOT, '.containerignore'), 'utf8').split('\n').map((l) => l.trim());
  let result = false;
  for (const line of lines.filter((l) => l !== '' && !l.startsWith('#'))) {
    const negate = line.startsWith('!');
    const pattern = negate ? line.slice(1) : line;
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/^\*\*\//, '(?:.*/)?')
      .replace(/\*/g, '[^/]*');
    if (new RegExp(`^${source}(?:/.*)?$`).test(path.replace(/\/$/, ''))) result = !negate;
  }
  return result;
}

describe('the parser', () => {
  it('reads stages, continuation lines, options and both command forms', () => {
    const file = parseContainerfile(
      '# syntax=docker/dockerfile:1\nARG BASE=alpine:3\nFROM ${BASE} AS one\nRUN a \\\n  # a comment\n  && b\nFROM one AS two\n' +
        'HEALTHCHECK --interval=5s CMD ["x", "y"]\nUSER 1001:1001\nCMD echo hi\n',
    );
    expect(file.stages.map((s) => [s.name, s.from])).toEqual([['one', 'alpine:3'], ['two', 'one']]);
    expect(all(file.stages[0]!, 'RUN')[0]!.rest).toBe('a && b');
    expect(healthcheckOf(lineage(file, 'two'))).toEqual({ options: { interval: '5s' }, command: ['x', 'y'] });
    expect(userOf(lineage(file, 'two'))).toBe('1001:1001');
    expect(userOf(lineage(file, 'one'))).toBe('root');
    expect(commandOf('echo hi')).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(() => parseContainerfile('RUN x\n')).toThrow('before the first FROM');
  });
});

describe('Containerfile (node-service)', () => {
  it('names the builder, development and production stages; production is the default target', () => {
    const names = node.stages.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['builder', 'development', 'production']));
    expect(names.at(-1)).toBe('production');
  });

  it('builds on the current Node LTS on Debian bookworm', () => {
    for (const s of node.stages.filter((x) => !node.stages.some((y) => y.name === x.from))) {
      const match = /^docker\.io\/library\/node:(\d+)-bookworm-slim$/.exec(s.from);
      expect(match, s.from).not.toBeNull();
      const major = Number(match![1]);
      expect(major % 2, 'LTS lines are even').toBe(0);
      expect(major).toBeGreaterThanOrEqual(24);
    }
  });

  it('builder: installs every dependency from the lockfile, typechecks, compiles and builds the pages', () => {
    const runs = all(lineage(node, 'builder'), 'RUN').map((r) => r.rest).join('\n');
    expect(runs).toMatch(/npm ci(?! --omit)/);
    expect(runs).toContain('npm run typecheck -w node-service');
    expect(runs).toContain('npm run build -w node-service');
    const copied = all(lineage(node, 'builder'), 'COPY').map((c) => c.rest);
    expect(copied).toEqual(expect.arrayContaining(['package.json package-lock.json ./', 'node-service/package.json node-service/']));
  });

  it('production: compiled code, production dependencies, migrations and function files only, as nodejs under tini, with a health check', () => {
    const chain = lineage(node, 'production');
    expect(chain.map((s) => s.name)).toEqual(['production', 'runtime']);
    const production = chain[0]!;
    const copies = all(production, 'COPY');
    expect(copies.map((c) => [c.options.from ?? 'context', c.rest])).toEqual([
      ['production-dependencies', '/app/ ./'],
      ['builder', '/app/node-service/dist/ node-service/dist/'],
      ['context', 'database/migrations/ database/migrations/'],
      ['context', 'database/functions/ database/functions/'],
    ]);
    expect(all(lineage(node, 'production-dependencies'), 'RUN').map((r) => r.rest).join('\n')).toMatch(/npm ci --omit=dev/);
    const user = userOf(chain);
    expect(user).toBe('nodejs');
    expect(isRootUser(user)).toBe(false);
    expect(all(stage(node, 'runtime'), 'RUN').map((r) => r.rest).join('\n')).toMatch(/groupadd --system --gid 1001 nodejs[\s\S]*useradd --system --uid 1001 --gid nodejs/);
    expect(environmentOf(chain)).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '3000' });
    expect(commandOf(all(production, 'ENTRYPOINT')[0]!.rest)).toEqual(['/usr/bin/tini', '--']);
    expect(commandOf(all(production, 'CMD')[0]!.rest)).toEqual(['node', 'node-service/dist/main.js']);
    const check = healthcheckOf(chain);
    expect(check?.command.join(' ')).toMatch(/^node -e fetch\(.*\/asistencia\/health/);
  });

  it('development: every dependency, the dev server with reload and Vite on 9504, not as root', () => {
    const chain = lineage(node, 'development');
    expect(chain.map((s) => s.name)).toContain('dependencies');
    expect(isRootUser(userOf(chain))).toBe(false);
    expect(environmentOf(chain)).toMatchObject({ NODE_ENV: 'development', HOST: '0.0.0.0' });
    const command = commandOf(all(stage(node, 'development'), 'CMD')[0]!.rest).join(' ');
    expect(command).toContain('npm run dev');
    expect(command).toMatch(/vite --host 0\.0\.0\.0/);
    expect(all(stage(node, 'development'), 'EXPOSE').map((e) => e.rest).join(' ')).toContain('9504');
    expect(readFileSync(join(REPO_ROOT, 'node-service/vite.config.ts'), 'utf8')).toMatch(/port: 9504/);
    expect(healthcheckOf(chain)).toBeDefined();
  });

  it('compose runs node-service as the image\'s own nodejs user (1001:1001)', async () => {
    for (const file of ['compose.dev.yaml', 'compose.prod.yaml']) {
      const project = await composeProject(['compose.yaml', file], sampleEnvironment());
      expect(services(project)['asistencia-node']!.user, file).toBe('1001:1001');
    }
    for (const name of ['development', 'production']) {
      expect(lineage(node, name).map((s) => s.name), name).toContain('runtime');
    }
    expect(all(stage(node, 'runtime'), 'RUN').map((r) => r.rest).join('\n')).toMatch(/groupadd --system --gid 1001 nodejs[\s\S]*useradd --system --uid 1001 --gid nodejs/);
  });

  it('the stages compose builds exist', async () => {
    const files = ['compose.yaml', 'compose.dev.yaml', 'compose.prod.yaml'];
    const projects = await Promise.all(files.map((file) => composeProject(file === 'compose.yaml' ? [file] : ['compose.yaml', file], sampleEnvironment())));
    const targets = projects.map((project) => (services(project)['asistencia-node']!.build as Mapping).target);
    for (const target of targets) expect(node.stages.map((s) => s.name)).toContain(target);
  });
});

describe('php-legacy/Containerfile (Apache + PHP on Debian bookworm)', () => {
  const portal = php.stages.at(-1)!;
  const runs = all(portal, 'RUN').map((r) => r.rest).join('\n');

  it('is FROM Debian bookworm', () => {
    expect(php.stages.map((s) => s.from)).toEqual(['docker.io/library/debian:bookworm-slim']);
  });

  it("installs Debian's Apache, PHP 8.2 with php-fpm and SQLite, and checks the configuration with apache2", () => {
    for (const pkg of ['apache2', 'php8.2-fpm', 'php8.2-cli', 'php8.2-sqlite3', 'openssl']) expect(runs).toMatch(new RegExp(`\\s${pkg}(\\s|$)`));
    expect(runs).toContain('apache2 -t -f /etc/asistencia/httpd.conf');
    expect(all(portal, 'COPY').map((c) => c.rest).join('\n')).toContain('apache-config/modules-debian.conf');
  });

  it('loads mod_ssl and the proxy modules at Debian paths: the event MPM, PHP in php-fpm', () => {
    const loaded = [...readFileSync(join(REPO_ROOT, 'apache-config/modules-debian.conf'), 'utf8').matchAll(/^LoadModule (\w+) (\S+)$/gm)];
    for (const m of loaded) expect(m[2]).toMatch(/^\/usr\/lib\/apache2\/modules\/mod_\w+\.so$/);
    const names = loaded.map((m) => m[1]);
    expect(names).toEqual(
      expect.arrayContaining(['ssl_module', 'proxy_module', 'proxy_http_module', 'proxy_wstunnel_module', 'rewrite_module', 'headers_module', 'proxy_fcgi_module', 'mpm_event_module']),
    );
    expect(names.filter((name) => /^(php\d?_module|mpm_prefork_module|mpm_worker_module)$/.test(name!))).toEqual([]);
  });

  it('ships the operator command line where docs/operations.md says, and starts empty unless told otherwise', () => {
    const copies = all(portal, 'COPY').map((c) => c.rest);
    expect(copies).toContain('php-legacy/bin/ /srv/asistencia/php-legacy/bin/');
    expect(copies).toEqual(expect.arrayContaining(['php-legacy/src/ /srv/asistencia/php-legacy/src/', 'php-legacy/schema.sql php-legacy/seed.json /srv/asistencia/php-legacy/']));
    expect(existsSync(join(REPO_ROOT, 'php-legacy/bin/portal.php'))).toBe(true);
    expect(readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8')).toContain(
      'exec asistencia-php php /srv/asistencia/php-legacy/bin/portal.php add-user',
    );
    expect(environmentOf([portal]).PORTAL_SEED).toBe('none');
  });

  it('checks Apache\'s configuration at build time with the HTTPS redirect on as well', () => {
    expect(runs).toMatch(/Define ASISTENCIA_REDIRECT_HTTPS[\s\S]*Define ASISTENCIA_PUBLIC_HTTPS_ORIGIN https:\/\/\S+[\s\S]*apache2 -t -f \/etc\/asistencia\/httpd\.conf/);
  });

  it('runs Apache and php-fpm as the unprivileged www-data user, with a health check', () => {
    expect(userOf([portal])).toBe('www-data');
    expect(commandOf(all(portal, 'ENTRYPOINT')[0]!.rest)).toEqual(['/usr/local/bin/asistencia-php']);
    expect(healthcheckOf([portal])?.command).toEqual(['php', '/usr/local/libexec/asistencia/healthcheck.php']);
  });
});

describe('both images', () => {
  it.each([
    ['Containerfile', node],
    ['php-legacy/Containerfile', php],
  ])('%s copies only files that exist and that .containerignore lets through', (_name, file) => {
    const sources = contextSources(file);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
      expect(ignored(source), `${source} is excluded by .containerignore`).toBe(false);
    }
  });

  it('.containerignore keeps secrets, local state and installed modules out of the build context', () => {
    for (const path of ['.env', 'secrets/jwt_secret', 'node_modules/x', 'node-service/node_modules/x', 'node-service/dist/main.js', 'node-service/.data/x', '.git/config', 'php-legacy/data/portal.sqlite']) {
      expect(ignored(path), path).toBe(true);
    }
  });
});

describe('the high-availability images (containers/ha/, compose.ha.yaml)', () => {
  // Each builds on an image the other services already use, chosen by a build argument (the local bases
  // here, the official Debian bookworm images where a registry is reachable).
  const bases: Record<string, [string, string]> = {
    patroni: ['POSTGRES_IMAGE', 'docker.io/library/postgres:15-bookworm'],
    haproxy: ['POSTGRES_IMAGE', 'docker.io/library/postgres:15-bookworm'],
    etcd: ['DEBIAN_IMAGE', 'docker.io/library/debian:bookworm-slim'],
    sentinel: ['VALKEY_IMAGE', 'docker.io/valkey/valkey:8-bookworm'],
  };
  it.each(Object.entries(bases))('%s builds FROM the build argument that names its base', (name, [arg, image]) => {
    const file = readContainerfile(`containers/ha/${name}/Containerfile`);
    expect(file.globalArgs).toEqual({ [arg]: image });
    expect(file.stages.map((stage) => stage.from)).toEqual([image]);
    for (const copy of file.stages[0]!.instructions.filter((i) => i.keyword === 'COPY')) {
      for (const source of copy.rest.split(/\s+/).slice(0, -1)) {
        expect(existsSync(join(REPO_ROOT, 'containers/ha', name, source)), source).toBe(true);
      }
    }
  });
});
