import { nodeVersionProblem } from './shared/node-version.js';

/**
 * The entry point. It checks the Node.js version before anything else is loaded (an older Node would
 * fail further in, on a syntax or an API, with a message that names neither), then starts the server.
 */
const problem = nodeVersionProblem(process.versions.node);
if (problem !== null) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
// No top-level await: this file must parse on the old versions it is there to turn away.
void import('./server.js').then(({ startServer }) => startServer());
