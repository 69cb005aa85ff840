import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { composeProject, isMapping, parsePort, REPO_ROOT, sampleEnvironment, services, type Mapping } from './compose.js';

// What the containers must agree on, across compose files, Apache's and php-fpm's configuration and the
// service's settings: addresses, ports, sockets, trusted proxies.

const env = sampleEnvironment();
const projects = {
  dev: await composeProject(['compose.yaml', 'compose.dev.yaml'], env),
  prod: await composeProject(['compose.yaml', 'compose.prod.yaml'], env),
};
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const httpdConf = read('php-legacy/container/httpd.conf');
const fpmConf = read('php-legacy/container/php-fpm.conf');

function define(name: string): string {
  const match = new RegExp(`^Define ${name} "?([^"\\s]+)"?$`, 'm').exec(httpdConf);
  if (!match) throw new Error(`httpd.conf does not Define ${name}`);
  return match[1]!;
}

function environment(project: Mapping, service: string): Record<string, string> {
  return services(project)[service]!.environment as Record<string, string>;
}

function address(project: Mapping, service: string): string {
  const networks = services(project)[service]!.networks as Mapping;
  return String((networks.asistencia as Mapping).ipv4_address);
}

function ipv4(text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

describe.each(Object.entries(projects))('%s', (_name, project) => {
  const subnet = ((project.networks as Mapping).asistencia as { ipam: { config: { subnet: string; ip_range: string }[] } }).ipam.config[0]!;

  it('puts every service on the one private network', () => {
    expect(Object.keys(project.networks as Mapping)).toEqual(['asistencia']);
    for (const [name, s] of Object.entries(services(project))) {
      const networks = Array.isArray(s.networks) ? s.networks : Object.keys(s.networks as Mapping);
      expect(networks, name).toEqual(['asistencia']);
    }
  });

  it('node-service believes X-Forwarded-* only from Apache\'s fixed address', () => {
    const php = address(project, 'asistencia-php');
    const node = address(project, 'asistencia-node');
    expect(environment(project, 'asistencia-node').TRUST_PROXY).toBe(php);
    for (const fixed of [php, node]) {
      expect(inCidr(fixed, subnet.subnet), fixed).toBe(true);
      expect(inCidr(fixed, subnet.ip_range), `${fixed} must stay out of the dynamic range`).toBe(false);
    }
    expect(php).not.toBe(node);
    expect(inCidr(subnet.ip_range.split('/')[0]!, subnet.subnet)).toBe(true);
  });

  it('the service and the portal reach each other on the listeners they really have', () => {
    const node = environment(project, 'asistencia-node');
    const php = environment(project, 'asistencia-php');
    expect(node.PORTAL_INTERNAL_URL).toBe(`http://asistencia-php:${define('ASISTENCIA_INTERNAL_PORT')}`);
    expect(php.ASISTENCIA_NODE).toBe(`asistencia-node:${node.PORT}`);
    expect(php.NODE_INTERNAL_URL).toBe(`http://asistencia-node:${node.PORT}`);
    expect(node.HOST).toBe('0.0.0.0');
    expect(node.VALKEY_URL).toBe('redis://asistencia-valkey:6379');
    expect(node.JWT_ISSUER).toBe(php.JWT_ISSUER);
    expect(node.JWT_AUDIENCE).toBe(php.JWT_AUDIENCE);
  });

  it('publishes Apache\'s own HTTP and HTTPS ports, never the internal listener', () => {
    const targets = (services(project)['asistencia-php']!.ports as unknown[]).map((p) => parsePort(p).target).sort();
    expect(targets).toEqual([Number(define('ASISTENCIA_HTTP_PORT')), Number(define('ASISTENCIA_HTTPS_PORT'))].sort());
    expect(targets).not.toContain(Number(define('ASISTENCIA_INTERNAL_PORT')));
  });

  it('health checks probe the ports the services listen on', () => {
    const nodeCheck = (services(project)['asistencia-node']!.healthcheck as { test: string[] }).test.join(' ');
    expect(nodeCheck).toContain(`http://127.0.0.1:${environment(project, 'asistencia-node').PORT}/asistencia/health`);
    const probe = read('php-legacy/container/healthcheck.php');
    // Its default ports (tests may point it elsewhere) are the ones Apache listens on in the container.
    expect(probe).toContain(`(getenv('HEALTHCHECK_HTTP_PORT') ?: ${define('ASISTENCIA_HTTP_PORT')})`);
    expect(probe).toContain(`(getenv('HEALTHCHECK_INTERNAL_PORT') ?: ${define('ASISTENCIA_INTERNAL_PORT')})`);
    expect(probe).toContain('"http://127.0.0.1:{$httpPort}/');
    expect(probe).toContain('"http://127.0.0.1:{$internalPort}/internal/');
  });

  it('the portal keeps its SQLite store and sessions in its volume', () => {
    const php = environment(project, 'asistencia-php');
    const volume = (services(project)['asistencia-php']!.volumes as string[]).find((v) => v.startsWith('portal-data:'));
    const mountedAt = volume!.split(':')[1]!;
    expect(php.PORTAL_DB_PATH?.startsWith(`${mountedAt}/`)).toBe(true);
    expect(php.PORTAL_SESSION_DIR?.startsWith(`${mountedAt}/`)).toBe(true);
  });
});

describe('Apache and php-fpm in the portal container', () => {
  it('Apache hands PHP to php-fpm on the socket php-fpm listens on', () => {
    expect(/^listen = (\S+)$/m.exec(fpmConf)?.[1]).toBe(define('PHP_FPM_SOCKET'));
  });

  it('php-fpm passes the container environment to PHP (the portal reads its settings with getenv)', () => {
    expect(fpmConf).toMatch(/^clear_env = no$/m);
    expect(fpmConf).toMatch(/^catch_workers_output = yes$/m);
    expect(fpmConf).not.toMatch(/^(user|group) =/m);
  });

  it('logs go to the container\'s stdout and stderr', () => {
    expect(httpdConf).toMatch(/^ErrorLog "\/proc\/self\/fd\/2"$/m);
    expect(fpmConf).toMatch(/^error_log = \/proc\/self\/fd\/2$/m);
    expect(read('apache-config/asistencia.conf')).toMatch(/Define ASISTENCIA_ACCESS_LOG \/proc\/self\/fd\/1/);
  });

  it('includes the Debian module list and asistencia.conf where the image puts them', () => {
    const containerfile = read('php-legacy/Containerfile');
    expect(containerfile).toContain('COPY apache-config/asistencia.conf apache-config/modules-debian.conf apache-config/mpm-event.conf /srv/asistencia/apache-config/');
    expect(httpdConf).toContain('Include "/srv/asistencia/apache-config/modules-debian.conf"');
    // The door's size is the one the tests and `npm run stack` run with, not a copy.
    expect(httpdConf).toContain('Include "/srv/asistencia/apache-config/mpm-event.conf"');
    expect(httpdConf).not.toMatch(/^\s*(ServerLimit|ThreadsPerChild|MaxRequestWorkers)\b/m);
    expect(httpdConf).toContain('Include "/srv/asistencia/apache-config/asistencia.conf"');
    expect(define('PORTAL_ROOT')).toBe('/srv/asistencia/php-legacy/public');
  });

  it('the entrypoint and init.sh are valid bash', async () => {
    for (const script of ['php-legacy/container/entrypoint.sh', 'database/init.sh', 'containers/local/make-bases.sh', 'containers/local/postgres/entrypoint.sh']) {
      await expect(promisify(execFile)('bash', ['-n', join(REPO_ROOT, script)])).resolves.toBeDefined();
    }
  });

  it('the entrypoint turns production\'s redirect settings into the Defines asistencia.conf reads', async () => {
    const conf = read('apache-config/asistencia.conf');
    expect(conf).toMatch(/<IfDefine ASISTENCIA_REDIRECT_HTTPS>[\s\S]*\$\{ASISTENCIA_PUBLIC_HTTPS_ORIGIN\}/);
    // Only the entrypoint's function, run with the settings production gives the container.
    const script = join(REPO_ROOT, 'php-legacy/container/entrypoint.sh');
    const defines = (settings: Record<string, string>) =>
      promisify(execFile)(
        'bash',
        ['-c', `eval "$(sed -n '/^fail() {/,/^}/p; /^https_redirect_defines() {/,/^}/p' "$0")"; https_redirect_defines`, script],
        { env: { PATH: process.env.PATH, ...settings } },
      );
    const prod = environment(projects.prod, 'asistencia-php');
    const { stdout } = await defines({
      ASISTENCIA_REDIRECT_HTTPS: prod.ASISTENCIA_REDIRECT_HTTPS!,
      ASISTENCIA_PUBLIC_HTTPS_ORIGIN: `${prod.ASISTENCIA_PUBLIC_HTTPS_ORIGIN}/`,
    });
    expect(stdout.trim().split('\n')).toEqual([
      'Define ASISTENCIA_REDIRECT_HTTPS',
      `Define ASISTENCIA_PUBLIC_HTTPS_ORIGIN ${env.PUBLIC_URL}`,
    ]);
    expect((await defines({})).stdout).toBe('');
    for (const origin of ['', 'http://asistencia.example.edu', 'https://asistencia.example.edu/path', 'https://x.example" evil']) {
      await expect(defines({ ASISTENCIA_REDIRECT_HTTPS: 'on', ASISTENCIA_PUBLIC_HTTPS_ORIGIN: origin }), origin).rejects.toMatchObject({
        code: 64,
        stderr: expect.stringContaining('needs ASISTENCIA_PUBLIC_HTTPS_ORIGIN as https://host[:port]'),
      });
    }
  });

  it('the entrypoint gives Apache node-service\'s body limit, which both containers get from one setting', async () => {
    for (const service of ['asistencia-php', 'asistencia-node']) {
      expect(environment(projects.prod, service).BODY_LIMIT_BYTES, service).toBe('65536');
    }
    const script = join(REPO_ROOT, 'php-legacy/container/entrypoint.sh');
    const limit = (value: string | undefined) =>
      promisify(execFile)('bash', ['-c', `eval "$(sed -n '/^fail() {/,/^}/p; /^body_limit() {/,/^}/p' "$0")"; body_limit`, script], {
        env: { PATH: process.env.PATH, ...(value === undefined ? {} : { BODY_LIMIT_BYTES: value }) },
      });
    expect((await limit(undefined)).stdout).toBe('65536\n');
    expect((await limit('1048576')).stdout).toBe('1048576\n');
    for (const wrong of ['512', '99999999', '64k', '65536 evil', '-1']) {
      await expect(limit(wrong), wrong).rejects.toMatchObject({ code: 64, stderr: expect.stringContaining('BODY_LIMIT_BYTES must be') });
    }
    expect(read('php-legacy/container/entrypoint.sh')).toContain('echo "Define ASISTENCIA_BODY_LIMIT_BYTES $(body_limit)"');
  });

  it('the entrypoint gives Apache the justification route’s body limit, computed as node-service does from JUSTIFICATION_MAX_BYTES', async () => {
    for (const service of ['asistencia-php', 'asistencia-node']) {
      expect(environment(projects.prod, service).JUSTIFICATION_MAX_BYTES, service).toBe('2097152');
    }
    const script = join(REPO_ROOT, 'php-legacy/container/entrypoint.sh');
    const limit = (value: string | undefined) =>
      promisify(execFile)('bash', ['-c', `eval "$(sed -n '/^fail() {/,/^}/p; /^justification_body_limit() {/,/^}/p' "$0")"; justification_body_limit`, script], {
        env: { PATH: process.env.PATH, ...(value === undefined ? {} : { JUSTIFICATION_MAX_BYTES: value }) },
      });
    for (const max of [undefined, '1024', '1048577', '20971520']) {
      const expected = loadConfig(max === undefined ? {} : { JUSTIFICATION_MAX_BYTES: max }).justifications.bodyLimitBytes;
      expect((await limit(max)).stdout, max).toBe(`${expected}\n`);
    }
    for (const wrong of ['512', '99999999', '2m', '-1']) {
      await expect(limit(wrong), wrong).rejects.toMatchObject({ code: 64, stderr: expect.stringContaining('JUSTIFICATION_MAX_BYTES must be') });
    }
    expect(read('php-legacy/container/entrypoint.sh')).toContain('echo "Define ASISTENCIA_JUSTIFICATION_BODY_LIMIT_BYTES $(justification_body_limit)"');
    expect(read('apache-config/asistencia.conf')).toContain(`Define ASISTENCIA_JUSTIFICATION_BODY_LIMIT_BYTES ${loadConfig({}).justifications.bodyLimitBytes}`);
  });

  it('the health check expects the redirect exactly when the container is told to redirect', () => {
    const probe = read('php-legacy/container/healthcheck.php');
    expect(probe).toContain("getenv('ASISTENCIA_REDIRECT_HTTPS') === 'on'");
    expect(probe).toContain("getenv('ASISTENCIA_PUBLIC_HTTPS_ORIGIN')");
  });

  it('the health check is valid PHP', async () => {
    const { stdout } = await promisify(execFile)('php', ['-l', join(REPO_ROOT, 'php-legacy/container/healthcheck.php')]);
    expect(stdout).toContain('No syntax errors detected');
  });

  it('the base file alone has no published port and no secret', async () => {
    const base = await composeProject(['compose.yaml'], {});
    for (const [name, s] of Object.entries(services(base))) {
      expect(s.ports, name).toBeUndefined();
      const settings = isMapping(s.environment) ? Object.keys(s.environment) : [];
      expect(settings.filter((k) => /SECRET|PASSWORD|TOKEN/.test(k)), name).toEqual([]);
    }
  });
});
