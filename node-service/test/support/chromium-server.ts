import type { TestProject } from 'vitest/node';
import { launchChromiumServer } from './browser.js';

/**
 * One Chromium for the whole browser run, shared by every worker: each test file connects to it and
 * each page gets a brand-new context (cookies, storage, IndexedDB, service workers and the page's own
 * virtual authenticator are per context), so nothing leaks between files or tests. Launching Chromium
 * once instead of once per file saves a second or two of a busy machine's CPU per file.
 */
export default async function setup(project: TestProject) {
  const server = await launchChromiumServer();
  project.provide('chromiumEndpoint', server.wsEndpoint);
  return () => server.close();
}
