import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeProject, isMapping, REPO_ROOT, sampleEnvironment, services, type Mapping } from './compose.js';

// Production runs node-service three times behind Apache's balancer (compose.prod.yaml). The two more
// instances are asistencia-node with another address, and docs/operations.md shows their block as the
// file has it, so what operators read is what runs.

const docs = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');
const prodFile = readFileSync(join(REPO_ROOT, 'compose.prod.yaml'), 'utf8');
const snippet = /<!-- node replicas: compose\.prod\.yaml[^>]*-->\n```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
const project = await composeProject(['compose.yaml', 'compose.prod.yaml'], sampleEnvironment());
const REPLICAS = ['asistencia-node-2', 'asistencia-node-3'];

function settings(name: string): Mapping {
  const { networks: _networks, build: _build, ...rest } = services(project)[name]!;
  return rest;
}

describe('node-service three times in production (compose.prod.yaml)', () => {
  it('docs/operations.md shows the replicas block as compose.prod.yaml has it', () => {
    expect(snippet).toBeDefined();
    expect(prodFile).toContain(snippet!);
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

  it('Apache balances over all three, checks their health and waits for them', () => {
    const php = services(project)['asistencia-php']!;
    expect(php.environment).toMatchObject({
      ASISTENCIA_NODE: 'asistencia-node:3000',
      ASISTENCIA_NODE_2: 'asistencia-node-2:3000',
      ASISTENCIA_NODE_3: 'asistencia-node-3:3000',
    });
    expect(Object.keys(php.depends_on as Mapping).sort()).toEqual(['asistencia-node', ...REPLICAS]);
    const asistenciaConf = readFileSync(join(REPO_ROOT, 'apache-config/asistencia.conf'), 'utf8');
    for (const name of ['ASISTENCIA_NODE_2', 'ASISTENCIA_NODE_3']) expect(asistenciaConf).toContain(`<IfDefine ${name}>`);
    const members = asistenciaConf.split('\n').filter((line) => line.trim().startsWith('BalancerMember'));
    expect(members).toHaveLength(6);
    for (const member of members) expect(member).toContain('hctemplate=asistencia-node');
    expect(asistenciaConf).toMatch(/^ProxyHCTemplate asistencia-node hcmethod=GET hcuri=\/asistencia\/health /m);
    expect(asistenciaConf).not.toMatch(/stickysession/i);
  });
});
