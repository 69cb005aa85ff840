import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { API_DOC, errorCodesTable, withErrorCodes } from './error-codes.js';

test('docs/api.md lists every error code of the catalogue, as it is now (else: npm run docs:errors)', () => {
  const doc = readFileSync(API_DOC, 'utf8');
  expect(withErrorCodes(doc), 'docs/api.md is out of date: run `npm run docs:errors`').toBe(doc);
});

test('the list names codes from every module, with their status and both languages', () => {
  const table = errorCodesTable();
  for (const row of ['| `VALIDATION_FAILED` | 400 |', '| `SCAN_PHONE_UNKNOWN` |', '| `ENROLLMENT_COOLDOWN_ACTIVE` |', '| `AUTH_TOKEN_EXPIRED` | 401 |', '| `SCAN_ROUND_NOT_OPEN` |']) {
    expect(table).toContain(row);
  }
  expect(table).toMatch(/\| `SERVICE_UNAVAILABLE` \| 503 \| The service is not available right now: \{part\}\. \| El servicio no está disponible ahora: \{part\}\. \|/);
});
