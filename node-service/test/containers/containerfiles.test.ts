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

  it('builds on the current Node LTS on Alpine', () => {
    for (const s of node.stages.filter((x) => !node.stages.some((y) => y.name === x.from))) {
      const match = /^docker\.io\/library\/node:(\d+)-alpine$/.exec(s.from);
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

  it('production: compiled code, production dependencies and migrations only, as nodejs under tini, with a health check', () => {
    const chain = lineage(node, 'production');
    expect(chain).toHaveLength(1);
    const production = chain[0]!;
    const copies = all(production, 'COPY');
    expect(copies.map((c) => [c.options.from ?? 'context', c.rest])).toEqual([
      ['production-dependencies', '/app/ ./'],
      ['builder', '/app/node-service/dist/ node-service/dist/'],
      ['context', 'database/migrations/ database/migrations/'],
    ]);
    expect(all(lineage(node, 'production-dependencies'), 'RUN').map((r) => r.rest).join('\n')).toMatch(/npm ci --omit=dev/);
    const user = userOf(chain);
    expect(user).toBe('nodejs');
    expect(isRootUser(user)).toBe(false);
    expect(all(production, 'RUN').map((r) => r.rest).join('\n')).toMatch(/addgroup -S -g 1001 nodejs[\s\S]*adduser -S -D -H -u 1001 -G nodejs/);
    expect(environmentOf(chain)).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '3000' });
    expect(commandOf(all(production, 'ENTRYPOINT')[0]!.rest)).toEqual(['/sbin/tini', '--']);
    expect(commandOf(all(production, 'CMD')[0]!.rest)).toEqual(['node', 'node-service/dist/main.js']);
    const check = healthcheckOf(chain);
    expect(check?.command.join(' ')).toMatch(/wget .*\/asistencia\/health/);
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
      expect(all(stage(node, name), 'RUN').map((r) => r.rest).join('\n'), name).toMatch(/addgroup -S -g 1001 nodejs[\s\S]*adduser -S -D -H -u 1001 -G nodejs/);
    }
  });

  it('the stages compose builds exist', async () => {
    const files = ['compose.yaml', 'compose.dev.yaml', 'compose.prod.yaml'];
    const projects = await Promise.all(files.map((file) => composeProject(file === 'compose.yaml' ? [file] : ['compose.yaml', file], sampleEnvironment())));
    const targets = projects.map((project) => (services(project)['asistencia-node']!.build as Mapping).target);
    for (const target of targets) expect(node.stages.map((s) => s.name)).toContain(target);
  });
});

describe('php-legacy/Containerfile (Apache + PHP on Rocky Linux 9)', () => {
  const portal = php.stages.at(-1)!;
  const runs = all(portal, 'RUN').map((r) => r.rest).join('\n');

  it('is FROM Rocky Linux 9', () => {
    expect(php.stages.map((s) => s.from)).toEqual([expect.stringMatching(/(^|\/)rockylinux(\/rockylinux)?:9(\.\d+)?$/)]);
  });

  it('installs a supported PHP 8 from an AppStream module stream, Apache with mod_ssl, and php-fpm', () => {
    const stream = /ARG PHP_STREAM=(8\.\d+)/.exec(readFileSync(join(REPO_ROOT, 'php-legacy/Containerfile'), 'utf8'));
    expect(Number(stream?.[1]?.split('.')[1])).toBeGreaterThanOrEqual(2);
    expect(runs).toContain('dnf -y module enable "php:${PHP_STREAM}"');
    for (const pkg of ['httpd', 'mod_ssl', 'php-fpm', 'php-cli', 'php-pdo', 'openssl']) expect(runs).toMatch(new RegExp(`\\s${pkg}(\\s|$)`));
    expect(runs).toContain('httpd -t -f /etc/asistencia/httpd.conf');
  });

  it('enables mod_ssl and the proxy modules at Rocky paths, and covers every module the Debian list loads', () => {
    const rocky = readFileSync(join(REPO_ROOT, 'apache-config/modules-rocky.conf'), 'utf8');
    const loaded = (text: string) => [...text.matchAll(/^LoadModule (\w+) (\S+)$/gm)].map((m) => ({ name: m[1]!, path: m[2]! }));
    const rockyModules = loaded(rocky);
    for (const m of rockyModules) expect(m.path).toMatch(/^\/usr\/lib64\/httpd\/modules\/mod_\w+\.so$/);
    const names = rockyModules.map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining(['ssl_module', 'proxy_module', 'proxy_http_module', 'proxy_wstunnel_module', 'rewrite_module', 'headers_module', 'proxy_fcgi_module']),
    );
    const debian = loaded(readFileSync(join(REPO_ROOT, 'apache-config/modules-debian.conf'), 'utf8')).map((m) => m.name);
    expect(debian.filter((name) => !names.includes(name))).toEqual([]);
    // The same door on both: the event MPM, PHP in php-fpm.
    for (const list of [names, debian]) {
      expect(list).toEqual(expect.arrayContaining(['mpm_event_module', 'proxy_fcgi_module']));
      expect(list.filter((name) => /^(php\d?_module|mpm_prefork_module|mpm_worker_module)$/.test(name))).toEqual([]);
    }
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
    expect(runs).toMatch(/Define ASISTENCIA_REDIRECT_HTTPS[\s\S]*Define ASISTENCIA_PUBLIC_HTTPS_ORIGIN https:\/\/\S+[\s\S]*httpd -t -f \/etc\/asistencia\/httpd\.conf/);
  });

  it('runs Apache and php-fpm as the unprivileged apache user, with a health check', () => {
    expect(userOf([portal])).toBe('apache');
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
