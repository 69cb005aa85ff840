import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SUPPORTED_NODE_RANGE } from '../../src/shared/node-version.js';
import { REPO_ROOT } from '../support/apache.js';

/**
 * A fresh machine, two commands: the README's one install line, and `npm test` stopping at once with that
 * line when a package is missing. CI installs what the same script names.
 */
const SCRIPT = join(REPO_ROOT, 'node-service/scripts/check-packages.sh');
/** The files the script looks for, relative to the root it is pointed at. */
const PROOFS = [
  'usr/sbin/apache2',
  'usr/lib/apache2/modules/mod_mpm_event.so',
  'usr/sbin/php-fpm8.2',
  'usr/bin/php',
  'usr/lib/php/20220829/pdo_sqlite.so',
  'usr/bin/chromium',
  'usr/bin/openssl',
  'usr/bin/docker-compose',
  'usr/bin/soffice',
  'usr/bin/podman',
  'usr/sbin/runc',
  'usr/lib/podman/netavark',
  'usr/lib/podman/aardvark-dns',
  'usr/bin/catatonit',
  'usr/sbin/iptables',
  'usr/sbin/debootstrap',
  'usr/lib/python3/dist-packages/aiosmtpd/__main__.py',
  'usr/bin/redis-sentinel',
  'usr/bin/patroni',
  'usr/bin/etcd',
  'usr/sbin/haproxy',
  'usr/lib/postgresql/15/bin/postgres',
];

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A tree holding the given proofs only. */
function fakeRoot(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'asistencia-packages-'));
  roots.push(root);
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return root;
}

function check(root: string, ...args: string[]) {
  const run = spawnSync('sh', [SCRIPT, ...args], { env: { PATH: process.env.PATH, PACKAGES_ROOT: root }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const installLine = () => check('/', '--line').stdout.trim();

describe('the Node.js version', () => {
  it('the README states the range package.json declares, and every installed dependency accepts the lowest of each line', async () => {
    const { createRequire } = await import('node:module');
    // semver comes with npm's own dependencies; typed here by the functions used.
    const semver = createRequire(import.meta.url)('semver') as {
      satisfies(version: string, range: string): boolean;
      minVersion(range: string): { version: string } | null;
    };
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const range = /Requirements: Node\.js[^`]*`([^`]+)`/.exec(readme)?.[1];
    expect(range).toBe(SUPPORTED_NODE_RANGE);
    for (const manifest of ['package.json', 'node-service/package.json']) {
      expect(JSON.parse(readFileSync(join(REPO_ROOT, manifest), 'utf8')).engines).toEqual({ node: SUPPORTED_NODE_RANGE });
    }
    // The lowest version of each supported line (20.19.0, 22.13.0, 24.0.0): npm ci on any of them prints no EBADENGINE.
    const lowest = SUPPORTED_NODE_RANGE.split('||').map((line) => semver.minVersion(line.trim())!.version);
    expect(lowest).toEqual(['20.19.0', '22.13.0', '24.0.0']);
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: unknown }> };
    const refusing = Object.entries(lock.packages)
      .map(([name, info]) => [name, (info.engines as { node?: unknown } | undefined)?.node] as const)
      .filter((entry): entry is readonly [string, string] => typeof entry[1] === 'string')
      .flatMap(([name, declared]) => lowest.filter((version) => !semver.satisfies(version, declared)).map((version) => `${name} (${declared}) refuses ${version}`));
    expect(refusing).toEqual([]);
  });
});

describe('the package check', () => {
  it('passes on a machine that has every package', () => {
    expect(check(fakeRoot(PROOFS))).toMatchObject({ status: 0, stderr: '' });
  });

  it('stops with the one install line when a package is missing, naming what is missing', () => {
    const result = check(fakeRoot(PROOFS.filter((file) => !file.includes('php-fpm'))));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing: php8.2-fpm\n');
    expect(result.stderr).toContain(`  ${installLine()}\n`);
  });

  it('names every package on an empty machine, once each', () => {
    expect(check(fakeRoot([]), '--missing').stdout.trim().split('\n')).toEqual([
      'apache2',
      'php8.2-fpm',
      'php-cli',
      'php-sqlite3',
      'chromium',
      'openssl',
      'docker-compose',
      'libreoffice-calc-nogui',
      'podman',
      'runc',
      'netavark',
      'aardvark-dns',
      'catatonit',
      'iptables',
      'debootstrap',
      'python3-aiosmtpd',
      'redis-sentinel',
      'patroni',
      'etcd-server',
      'haproxy',
      'postgresql-15',
    ]);
  });

  it('is the install line the README shows, and what npm test runs first and CI installs from', () => {
    expect(installLine()).toMatch(/^apt-get install -y --no-install-recommends apache2 php8\.2-fpm /);
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain(`\n${installLine()}\n`);
    const scripts = JSON.parse(readFileSync(join(REPO_ROOT, 'node-service/package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.test).toMatch(/^sh scripts\/check-packages\.sh && /);
    expect(readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')).toContain('node-service/scripts/check-packages.sh --missing');
  });
});
