import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS_DIR } from '../support/global-setup.js';

/** The `*.sql` files of a functions folder, in the order the runners apply them. */
export function functionFileNames(dir: string = FUNCTIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => /^[\w.-]+\.sql$/.test(name))
    .sort();
}

export interface DefinedFunction {
  file: string;
  schema: string;
  name: string;
  /** The text between the $$ quotes: what pg_proc.prosrc holds once the file has run. */
  body: string;
}

/** Each CREATE OR REPLACE FUNCTION of a folder's files, with its $$-quoted body. */
export function definedFunctions(dir: string = FUNCTIONS_DIR): DefinedFunction[] {
  return functionFileNames(dir).flatMap((file) => {
    const sql = readFileSync(join(dir, file), 'utf8');
    const found = [...sql.matchAll(/^CREATE OR REPLACE FUNCTION (\w+)\.(\w+)\([\s\S]*?\bAS \$\$([\s\S]*?)\$\$/gm)];
    return found.map(([, schema, name, body]) => ({ file, schema: schema!, name: name!, body: body! }));
  });
}
