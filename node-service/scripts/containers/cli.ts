// npm run containers -- <command>: the product under podman compose on this machine, as operators run it.
//
//   bases                 make the local base images (Debian, Node 24, PostgreSQL 15, Valkey) when no
//                         registry is reachable; kept while their inputs are unchanged
//   build dev|prod|ha     build the images compose runs, on the local bases (ha: tagged :ha, and the
//                         Patroni, HAProxy, etcd and Sentinel images of containers/ha/)
//   up dev|prod|ha        build, bring the whole compose up and keep running its health checks (there is no
//                         systemd here to run them) until Ctrl-C, which takes it down (`down -v`)
//   down dev|prod|ha      remove every container, volume and network of that project (an interrupted run)
//   test dev|prod|upgrade|kube|ha|all
//                         the containers lane of the tests (test/containers/live/): build, bring up, drive
//                         through Apache only, take down; kube: `podman kube play` of the Kubernetes
//                         manifests (deploy/kubernetes) on the same images; ha: production with
//                         compose.ha.yaml (Valkey with sentinels, PostgreSQL under Patroni behind HAProxy),
//                         its own project asistencia-ha, ports 19680/19685 and network, last in all
import { spawn } from 'node:child_process';
import { buildImages, makeBases, removeProject, REPO_ROOT, startEngine, startStack, stopEngine, type Flavour } from './stack.js';

const USAGE = 'usage: npm run containers -- bases | build dev|prod|ha | up dev|prod|ha | down dev|prod|ha | test dev|prod|upgrade|kube|ha|all';

function flavourOf(value: string | undefined): Flavour {
  if (value === 'dev' || value === 'prod' || value === 'ha') return value;
  console.error(USAGE);
  process.exit(2);
}

const LANES = ['dev', 'prod', 'upgrade', 'kube', 'ha'];
/** A lane's files under test/containers/live/ (its own name unless listed). */
const FILES: Record<string, string[]> = { kube: ['kube-valkey', 'kube-stack'] };

async function test(which: string | undefined): Promise<number> {
  if (which !== 'all' && !LANES.includes(which ?? '')) {
    console.error(USAGE);
    return 2;
  }
  const files = (which === 'all' ? LANES : [which!]).flatMap((lane) => FILES[lane] ?? [lane]);
  const child = spawn('npx', ['vitest', 'run', '--project', 'containers', ...files.map((f) => `test/containers/live/${f}.test.ts`)], {
    cwd: `${REPO_ROOT}/node-service`,
    stdio: 'inherit',
  });
  return new Promise((done) => child.on('exit', (code) => done(code ?? 1)));
}

async function up(flavour: Flavour): Promise<void> {
  const stack = await startStack(flavour);
  process.stdout.write(`${stack.project} is up: ${stack.origin} (HTTPS ${stack.httpsOrigin}); project files in ${stack.dir}. Ctrl-C takes it down.\n`);
  await new Promise<void>((done) => process.once('SIGINT', () => done()));
  await stack.down();
}

const [command, argument] = process.argv.slice(2);
switch (command) {
  case 'bases':
    await makeBases();
    break;
  case 'build':
    await startEngine();
    await makeBases();
    await buildImages(flavourOf(argument));
    stopEngine();
    break;
  case 'up':
    await up(flavourOf(argument));
    break;
  case 'down':
    await removeProject(`asistencia-${flavourOf(argument)}`);
    break;
  case 'test':
    process.exitCode = await test(argument);
    break;
  default:
    console.error(USAGE);
    process.exitCode = 2;
}
