import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeProject, isMapping, REPO_ROOT, sampleEnvironment, schemaErrors, services, type Mapping } from './compose.js';

// docs/operations.md tells operators to keep a compose.replicas.yaml for more node-service instances.
// That snippet, added to the production files, must be a valid project whose replicas are the same
// service as asistencia-node, and that Apache balances over.

const docs = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');
const snippet = /<!-- compose\.replicas\.yaml[^>]*-->\n```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
const dir = mkdtempSync(join(tmpdir(), 'asistencia-replicas-'));
const file = join(dir, 'compose.replicas.yaml');
writeFileSync(file, snippet ?? '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = sampleEnvironment();
const FILES = ['compose.yaml', 'compose.prod.yaml', file];
const project = await composeProject(FILES, env);
const REPLICAS = ['asistencia-node-2', 'asistencia-node-3'];

function settings(name: string): Mapping {
  const { networks: _networks, build: _build, ...rest } = services(project)[name]!;
  return rest;
}

describe('compose.replicas.yaml from docs/operations.md', () => {
  it('is in the docs, and the project with it is valid Compose', () => {
    expect(snippet).toBeDefined();
    expect(schemaErrors(project)).toEqual([]);
  });

  it.each(REPLICAS)('%s is asistencia-node with another address', (replica) => {
    expect(settings(replica)).toEqual(settings('asistencia-node'));
    const address = ((services(project)[replica]!.networks as Mapping).asistencia as Mapping).ipv4_address;
    const taken = Object.entries(services(project))
      .filter(([name]) => name !== replica)
      .map(([, s]) => (isMapping(s.networks) && isMapping(s.networks.asistencia) ? s.networks.asistencia.ipv4_address : undefined));
    expect(address).toMatch(/^10\.95\.0\.\d+$/);
    expect(Number(String(address).split('.')[3])).toBeLessThan(128);
    expect(taken).not.toContain(address);
  });

  it('Apache balances over all three and waits for them', () => {
    const php = services(project)['asistencia-php']!;
    expect(php.environment).toMatchObject({
      ASISTENCIA_NODE: 'asistencia-node:3000',
      ASISTENCIA_NODE_2: 'asistencia-node-2:3000',
      ASISTENCIA_NODE_3: 'asistencia-node-3:3000',
    });
    expect(Object.keys(php.depends_on as Mapping).sort()).toEqual(['asistencia-node', ...REPLICAS]);
    const asistenciaConf = readFileSync(join(REPO_ROOT, 'apache-config/asistencia.conf'), 'utf8');
    for (const name of ['ASISTENCIA_NODE_2', 'ASISTENCIA_NODE_3']) expect(asistenciaConf).toContain(`<IfDefine ${name}>`);
  });

});
