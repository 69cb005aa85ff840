import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './compose.js';

/**
 * A small reader of Containerfile (Dockerfile) syntax: enough to check what the images will be without
 * building them. Handles comments, parser directives, line continuations, JSON (exec) and shell forms,
 * ARG defaults in FROM, and the options of FROM, COPY and HEALTHCHECK.
 */

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  raw: string;
  /** --name=value options at the start (FROM, COPY, ADD, HEALTHCHECK, RUN). */
  options: Record<string, string>;
  /** raw without the options. */
  rest: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  /** The image or earlier stage, with ARG defaults substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Containerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function readContainerfile(path: string): Containerfile {
  return parseContainerfile(readFileSync(join(REPO_ROOT, path), 'utf8'));
}

export function parseContainerfile(text: string): Containerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.rest.split(/\s+/);
      if (as !== undefined && as.toUpperCase() !== 'AS') throw new Error(`line ${instruction.line}: FROM image [AS name] expected`);
      stages.push({ name, from: substitute(image, globalArgs), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      const [name = '', value = ''] = instruction.rest.split('=');
      globalArgs[name.trim()] = value.trim().replace(/^"(.*)"$/, '$1');
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  const lines = text.split('\n');
  let pending = '';
  let start = 0;
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending === '')) return;
    if (pending === '') start = index + 1;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1).trimEnd()} `;
      return;
    }
    pending += trimmed;
    result.push(instruction(pending.trim(), start));
    pending = '';
  });
  if (pending !== '') throw new Error('the file ends inside a continued line');
  return result;
}

function instruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/s.exec(text);
  if (!match) throw new Error(`line ${line}: empty instruction`);
  const keyword = match[1]!.toUpperCase();
  const raw = match[2]!.trim();
  const options: Record<string, string> = {};
  let rest = raw;
  if (['FROM', 'COPY', 'ADD', 'HEALTHCHECK', 'RUN'].includes(keyword)) {
    for (let option = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest); option; option = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest)) {
      options[option[1]!] = option[2] ?? 'true';
      rest = rest.slice(option[0].length);
    }
  }
  return { keyword, raw, options, rest, line };
}

function substitute(value: string, args: Record<string, string>): string {
  return value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_all, name: string) => args[name] ?? '');
}

/** The exec form (JSON array) as a list, or the shell form as ["/bin/sh", "-c", text]. */
export function commandOf(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec form: ${text}`);
    return parsed as string[];
  }
  return ['/bin/sh', '-c', trimmed];
}

export function stage(file: Containerfile, name: string): Stage {
  const found = file.stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage named ${name}`);
  return found;
}

/** A stage and the stages it is built FROM, nearest first. */
export function lineage(file: Containerfile, name: string): Stage[] {
  const chain: Stage[] = [];
  for (let current = file.stages.find((s) => s.name === name); current; current = file.stages.find((s) => s.name === current!.from)) {
    chain.push(current);
  }
  return chain;
}

export function all(stages: Stage | Stage[], keyword: string): Instruction[] {
  return [stages].flat().flatMap((s) => s.instructions.filter((i) => i.keyword === keyword));
}

function last(stages: Stage | Stage[], keyword: string): Instruction | undefined {
  return all(stages, keyword).at(-1);
}

/** ENV instructions as one mapping (KEY=value pairs, optionally quoted, several per line). */
export function environmentOf(stages: Stage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of [...stages].reverse().flatMap((s) => all(s, 'ENV'))) {
    for (const pair of instruction.rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[pair[1]!] = pair[2]!.replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/** The user a stage runs as (its last USER, or an ancestor stage's), or "root" when none is set. */
export function userOf(chain: Stage[]): string {
  for (const s of chain) {
    const user = last(s, 'USER');
    if (user) return user.rest;
  }
  return 'root';
}

export function isRootUser(user: string): boolean {
  const name = user.split(':')[0]!.trim();
  return name === '' || name === 'root' || name === '0';
}

export interface Healthcheck {
  options: Record<string, string>;
  command: string[];
}

export function healthcheckOf(chain: Stage[]): Healthcheck | undefined {
  for (const s of chain) {
    const check = last(s, 'HEALTHCHECK');
    if (!check) continue;
    if (/^NONE$/i.test(check.rest)) return undefined;
    const cmd = /^CMD\s+(.*)$/is.exec(check.rest);
    if (!cmd) throw new Error(`line ${check.line}: HEALTHCHECK [options] CMD command expected`);
    return { options: check.options, command: commandOf(cmd[1]!) };
  }
  return undefined;
}
