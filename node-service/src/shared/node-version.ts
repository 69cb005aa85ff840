/**
 * The Node.js versions the service supports: what it runs on (Node 20 on the development machines, Node 24 in
 * the container image) and what its dependencies need. The same range is `engines.node` in both
 * package.json files (a unit test keeps them equal). 20.19 and 22.13 are the first of their lines where
 * `require()` of an ES module works unflagged, which some dependencies rely on.
 */
export const SUPPORTED_NODE_RANGE = '^20.19.0 || ^22.13.0 || >=24';

/** The lowest supported [major, minor] of each release line; any line from 24 on is supported. */
const LINES: ReadonlyArray<readonly [major: number, minor: number]> = [
  [20, 19],
  [22, 13],
];
const FIRST_OPEN_MAJOR = 24;

/** Whether a Node.js version such as "20.20.2" (or "v20.20.2") lies in SUPPORTED_NODE_RANGE. */
export function isSupportedNode(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major >= FIRST_OPEN_MAJOR) return true;
  return LINES.some(([lineMajor, lowestMinor]) => major === lineMajor && minor >= lowestMinor);
}

/** The one line printed when the version found is not supported, or null when it is. */
export function nodeVersionProblem(version: string): string | null {
  if (isSupportedNode(version)) return null;
  return `Asistencia needs Node.js ${SUPPORTED_NODE_RANGE} (20.19+, 22.13+ or 24 and later); this is Node.js ${version}. Install a supported version and start again.`;
}
