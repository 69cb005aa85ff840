/**
 * Malformed requests, generated from the service's own OpenAPI document, for the fuzz test
 * (test/input/fuzz.test.ts). Each request starts from a plausible one (real ids and tokens some of the
 * time, hostile strings the rest) and then gets at least one flaw that the service must refuse: a bad
 * token, a path parameter, query value or body node that breaks its schema, a body that is not JSON or
 * not the right shape, a control character, or a value the service is known to have to refuse (a network
 * with host bits). So a request that is answered 2xx, or that changes a row, is a defence that failed.
 * Everything is drawn from one seeded generator: the same seed makes the same requests.
 */

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
export type Random = ReturnType<typeof seededRandom>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON Schema as the OpenAPI document carries it
export type JsonSchema = Record<string, any>;

interface ParamSpec {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface RouteSpec {
  method: string;
  /** With `{name}` placeholders, as OpenAPI writes them. */
  path: string;
  params: ParamSpec[];
  query: ParamSpec[];
  body?: JsonSchema;
  security: 'portal' | 'internal' | null;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean; schema: JsonSchema }>; requestBody?: { content: Record<string, { schema: JsonSchema }> }; security?: Array<Record<string, unknown>> }>>;
}

export function routesFrom(doc: OpenApiDocument): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      const spec = (where: string) =>
        parameters.filter((p) => p.in === where).map((p) => ({ name: p.name, required: p.required ?? false, schema: p.schema }));
      const security = operation.security?.[0];
      routes.push({
        method: method.toUpperCase(),
        path,
        params: spec('path'),
        query: spec('query'),
        body: operation.requestBody?.content['application/json']?.schema,
        security: security ? ('serviceCredential' in security ? 'internal' : 'portal') : null,
      });
    }
  }
  return routes;
}

/** Real values that let a request get past everything but its flaw (ids of seeded rows, and so on). */
export interface Fixtures {
  /** By parameter or property name: values that exist (e.g. id → seeded session ids). */
  byName: Record<string, readonly unknown[]>;
  /** Valid bearer tokens of every role, and the internal credential. */
  portalTokens: readonly string[];
  internalToken: string;
  /** Tokens that must be refused: expired, wrong secret, unsigned, another issuer… */
  badTokens: readonly string[];
  /** By property name: values the service must refuse though their type is right. */
  mustRefuse: Record<string, readonly unknown[]>;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** What was broken, for the failure report. */
  flaw: string;
}

/** Control characters, the class the service refuses in every string it reads. */
const CONTROLS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u001b', '\u001f', '\u007f', '\u0085', '\u009f'];

/** Strings that are well-typed but hostile; none of them names a real row. */
const HOSTILE_STRINGS = [
  '', ' ', '  \t', 'a', '0', '-1', '1.5', '1e309', '0x10', 'NaN', 'Infinity', 'null', 'true', 'undefined',
  "'; DROP TABLE attendance.sessions; --", "' OR '1'='1", '../../etc/passwd', '%00', '%2e%2e%2f', '\\', '"', "'",
  '<script>alert(1)</script>', '${jndi:ldap://x/a}', '{{7*7}}', '__proto__', 'constructor', 'toString',
  '١٢٣', 'ＭＡＴ１０１', 'mat101', ' MAT101', 'MAT101 ', 'İ', '\u202ertl', '\ufeffbom', '\u200b', '🙂🙂🙂', '\ud800', '\udfff\ud800',
  'e\u0301', 'a'.repeat(65), 'b'.repeat(129), 'c'.repeat(501), 'Ω'.repeat(300), '🙂'.repeat(40),
  '10.20.0.1/16', '2001:db8::1/32', '10.0.0.0/33', '0.0.0.0/0', '::/0', '::ffff:10.0.0.1/128', 'fe80::1%eth0/64', '10.0.0.0/8\n',
  '2026-02-30T10:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '2026-01-01T00:00:00+25:00', '2026-01-01',
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'not-a-uuid',
];

const HOSTILE_NUMBERS = [0, -1, 1, 1.5, -0.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, 3000, 60_000, 600];

export class RequestFuzzer {
  constructor(
    private readonly random: Random,
    private readonly routes: readonly RouteSpec[],
    private readonly fixtures: Fixtures,
  ) {}

  next(): FuzzRequest {
    const route = this.random.pick(this.routes);
    const draft = this.plausible(route);
    const flaw = this.breakOne(route, draft);
    return { ...this.render(route, draft), flaw: `${route.method} ${route.path}: ${flaw}` };
  }

  // ---- a plausible request ------------------------------------------------------------------------

  private plausible(route: RouteSpec): Draft {
    const { random, fixtures } = this;
    const params: Record<string, RawValue> = {};
    for (const p of route.params) params[p.name] = { text: String(this.valueFor(p.name, p.schema)) };
    const query: Record<string, string | string[]> = {};
    for (const q of route.query) if (q.required || random.chance(0.5)) query[q.name] = String(this.valueFor(q.name, q.schema));
    const headers: Record<string, string> = {};
    if (route.security === 'internal') headers.authorization = `Bearer ${fixtures.internalToken}`;
    else if (route.security === 'portal' || random.chance(0.2)) headers.authorization = `Bearer ${random.pick(fixtures.portalTokens)}`;
    if (random.chance(0.3)) headers['accept-language'] = random.pick(['en', 'es-ES,es;q=0.9', 'en;q=0, fr', '*', 'x'.repeat(300), 'en;q=abc']);
    if (random.chance(0.2)) headers['x-forwarded-for'] = random.pick(['10.20.1.2', 'not-an-ip', '::ffff:999.1.1.1', '10.0.0.1, 2001:db8::1', '2001:db8::1', '', '1'.repeat(200)]);
    if (random.chance(0.05)) headers['x-request-id'] = random.pick(['x'.repeat(2000), 'é', '../../']);
    if (random.chance(0.05)) headers.cookie = random.pick(['asistencia_dev_session=x.y.z', 'asistencia_dev_session=%zz', 'asistencia_dev_session=', `a=${'b'.repeat(3000)}`, ';;==;']);
    if (random.chance(0.05)) headers['sec-fetch-site'] = random.pick(['cross-site', 'same-site', 'same-origin', '']);
    // HEAD is answered by every GET route too.
    const method = route.method === 'GET' && random.chance(0.05) ? 'HEAD' : route.method;
    const draft: Draft = { method, params, query, headers };
    if (route.body) draft.body = this.generate(route.body, 0, undefined);
    else if (route.method !== 'GET' && random.chance(0.3)) draft.body = {};
    return draft;
  }

  /** A real value for a known name when there is one (60%), else one generated from the schema. */
  private valueFor(name: string | undefined, schema: JsonSchema): unknown {
    const real = name ? this.fixtures.byName[name] : undefined;
    if (real && real.length > 0 && this.random.chance(0.6)) return this.random.pick(real);
    return this.generate(schema, 0, name);
  }

  private generate(schema: JsonSchema, depth: number, name: string | undefined): unknown {
    const { random } = this;
    if (name && this.fixtures.byName[name] && random.chance(0.8)) return random.pick(this.fixtures.byName[name]!);
    if (schema.anyOf) return this.generate(random.pick(schema.anyOf as JsonSchema[]), depth, name);
    if (schema.enum) return random.chance(0.9) ? random.pick(schema.enum as unknown[]) : random.pick(HOSTILE_STRINGS);
    const type = Array.isArray(schema.type) ? random.pick(schema.type as string[]) : schema.type;
    switch (type) {
      case 'object': {
        const value: Record<string, unknown> = {};
        const required = new Set<string>(schema.required ?? []);
        for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
          if (required.has(key) || random.chance(0.3)) value[key] = depth > 8 ? null : this.generate(child, depth + 1, key);
        }
        return value;
      }
      case 'array': {
        const items = (schema.items ?? {}) as JsonSchema;
        const max = Math.min(schema.maxItems ?? 5, 5);
        return Array.from({ length: random.int(0, max) }, () => this.generate(items, depth + 1, undefined));
      }
      case 'integer':
        return random.chance(0.7) ? random.int(schema.minimum ?? 1, Math.min(schema.maximum ?? 1000, 1000)) : random.pick(HOSTILE_NUMBERS);
      case 'number':
        return random.pick(HOSTILE_NUMBERS);
      case 'boolean':
        return random.chance(0.5);
      case 'null':
        return null;
      case 'string':
        return this.plausibleString(schema);
      default:
        return random.pick(HOSTILE_STRINGS);
    }
  }

  private plausibleString(schema: JsonSchema): string {
    const { random } = this;
    if (schema.format === 'date-time') return new Date(Date.now() + random.int(-3, 3) * 3_600_000).toISOString();
    if (schema.format === 'uuid') return randomUuid(random);
    if (schema.pattern === '^[A-Za-z0-9_-]+$') return randomToken(random, random.int(1, Math.min(schema.maxLength ?? 64, 64)));
    if (schema.pattern === '^\\d{6}$') return String(random.int(0, 999_999)).padStart(6, '0');
    const text = random.pick(HOSTILE_STRINGS);
    return schema.maxLength !== undefined && text.length > schema.maxLength ? text.slice(0, schema.maxLength) : text;
  }

  // ---- one flaw, always -----------------------------------------------------------------------------

  private breakOne(route: RouteSpec, draft: Draft): string {
    const { random } = this;
    const ways: Array<() => string> = [() => this.controlCharacter(route, draft)];
    if (route.security) ways.push(() => this.badCredential(route, draft));
    if (route.params.length > 0) ways.push(() => this.badParam(route, draft), () => this.badParam(route, draft));
    if (route.query.length > 0) ways.push(() => this.badQuery(route, draft));
    if (route.body) {
      ways.push(() => this.badBodyShape(draft, route.body!), () => this.badBodyNode(route.body!, draft), () => this.badBodyNode(route.body!, draft));
      if (this.mustRefuseTargets(route.body).length > 0) ways.push(() => this.mustRefuseValue(route.body!, draft));
    } else if (route.method !== 'GET') {
      // A route without a body ignores a well-formed one: only what no parser takes is a flaw there.
      ways.push(() => this.unreadableBody(draft));
    }
    return random.pick(ways)();
  }

  private controlCharacter(route: RouteSpec, draft: Draft): string {
    const { random } = this;
    const control = random.pick(CONTROLS);
    const where = random.int(0, 2);
    if (where === 0 && route.params.length > 0) {
      const param = random.pick(route.params);
      draft.params[param.name] = { text: spliceInto(random, draft.params[param.name]!.text, control) };
      return `control character in params/${param.name}`;
    }
    if (where === 1 && draft.body !== undefined && typeof draft.body === 'object' && draft.body !== null && !Array.isArray(draft.body)) {
      const strings = stringPaths(draft.body);
      // Tab and line breaks stay allowed in body values: only the rest are a flaw there.
      const bodyControl = ['\t', '\n', '\r'].includes(control) ? '\u0000' : control;
      if (strings.length > 0 && random.chance(0.7)) {
        const path = random.pick(strings);
        setAt(draft.body, path, spliceInto(random, String(getAt(draft.body, path)), bodyControl));
        return `control character in body/${path.join('/')}`;
      }
      (draft.body as Record<string, unknown>)[`k${bodyControl}${random.int(0, 9)}`] = 'x';
      return 'control character in a body key';
    }
    const name = route.query.length > 0 && random.chance(0.5) ? random.pick(route.query).name : `q${random.int(0, 99)}`;
    draft.query[name] = spliceInto(random, String(draft.query[name] ?? random.pick(HOSTILE_STRINGS)), control);
    return `control character in querystring/${name}`;
  }

  private badCredential(route: RouteSpec, draft: Draft): string {
    const { random, fixtures } = this;
    const choice = random.int(0, 6);
    if (choice === 0) delete draft.headers.authorization;
    else if (choice === 1) draft.headers.authorization = random.pick(['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer x.y.z', `Bearer ${'a'.repeat(9000)}`, 'Bearer a.b', 'Bearer ..', 'Token abc']);
    else if (choice === 2 && route.security === 'internal') draft.headers.authorization = `Bearer ${random.pick(fixtures.portalTokens)}`;
    else if (choice === 3 && route.security === 'internal') draft.headers.authorization = `Bearer ${fixtures.internalToken.slice(0, -1)}x`;
    else draft.headers.authorization = `Bearer ${random.pick(fixtures.badTokens)}`;
    return `bad credential (${draft.headers.authorization?.slice(0, 40) ?? 'none'})`;
  }

  private badParam(route: RouteSpec, draft: Draft): string {
    const { random } = this;
    const param = random.pick(route.params);
    const raw = random.chance(0.1);
    const text = raw ? random.pick(['%', '%E0%A4%A', '%ZZ', '..%2F..%2F', '%C0%AE']) : this.violating(param.schema).text;
    draft.params[param.name] = { text, raw };
    return `params/${param.name} = ${JSON.stringify(text).slice(0, 60)}`;
  }

  private badQuery(route: RouteSpec, draft: Draft): string {
    const { random } = this;
    const param = random.pick(route.query);
    if (param.required && random.chance(0.3)) {
      delete draft.query[param.name];
      return `querystring/${param.name} missing`;
    }
    if (random.chance(0.2)) {
      draft.query[param.name] = [String(this.generate(param.schema, 0, param.name)), this.violating(param.schema).text];
      return `querystring/${param.name} given twice`;
    }
    draft.query[param.name] = this.violating(param.schema).text;
    return `querystring/${param.name} = ${JSON.stringify(draft.query[param.name]).slice(0, 60)}`;
  }

  /** A text that breaks a parameter's schema whatever coercion is applied to it. */
  private violating(schema: JsonSchema): { text: string } {
    const { random } = this;
    const control = () => spliceInto(random, random.pick(['MAT101', '2', 'abc']), random.pick(CONTROLS));
    if (schema.type === 'integer') return { text: random.pick(['abc', '0', '-1', '1.5', '', '9007199254740992', 'NaN', 'Infinity', '-Infinity', '1_000', '[]', control()]) };
    if (schema.enum) return { text: random.pick(['pdf', 'CSV', ' csv', 'csv ', 'xlsx\u0000', '', 'json', control()]) };
    if (schema.format === 'uuid') {
      return { text: random.pick(['abc', '', '12345678-1234-1234-1234-1234567890123', '12345678-1234-9234-8234-123456789012', 'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz', `${randomUuid(random)}x`, `{${randomUuid(random)}}`, control()]) };
    }
    const tooLong = 'x'.repeat((schema.maxLength ?? 64) + random.int(1, 200));
    return { text: random.pick([tooLong, control(), ...(schema.minLength ? [''] : [])]) };
  }

  private badBodyShape(draft: Draft, schema: JsonSchema = {}): string {
    return this.random.chance(0.4) ? this.unreadableBody(draft) : this.wrongBodyShape(draft, schema);
  }

  /** A body no parser takes: not JSON, empty, an unsupported type, or over the limit. */
  private unreadableBody(draft: Draft): string {
    const { random } = this;
    const choice = random.int(0, 3);
    if (choice === 0) {
      draft.rawBody = random.pick(['{', '{"a":', '[1,2', 'nul', '{"a":1}}', "{'a':1}", '{"a":1,}', '\u0000', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '1'.repeat(500) + 'x', '{"a":"\\ud800"', '['.repeat(5000)]);
      draft.contentType = 'application/json';
      return `body is not JSON: ${JSON.stringify(draft.rawBody).slice(0, 40)}`;
    }
    if (choice === 1) {
      draft.rawBody = '';
      draft.contentType = 'application/json';
      return 'empty JSON body';
    }
    if (choice === 2) {
      draft.rawBody = JSON.stringify(draft.body ?? {});
      draft.contentType = random.pick(['application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx', 'image/png']);
      return `content type ${draft.contentType}`;
    }
    draft.rawBody = `{"pad":"${'p'.repeat(70_000)}"}`;
    draft.contentType = 'application/json';
    return 'body over the limit';
  }

  /** A JSON body of the wrong shape for the route's schema. */
  private wrongBodyShape(draft: Draft, schema: JsonSchema): string {
    const { random } = this;
    if (random.chance(0.2)) {
      draft.rawBody = JSON.stringify(draft.body ?? {});
      draft.contentType = 'text/plain';
      return 'JSON sent as text/plain';
    }
    if (random.chance(0.2)) {
      let nested: unknown = 1;
      for (let i = 0; i < random.int(100, 3000); i += 1) nested = random.chance(0.5) ? [nested] : { a: nested };
      draft.body = nested;
      return 'deeply nested body';
    }
    // JSON null is a body that is not there (Fastify's "no body"): not a wrong shape where the schema allows it.
    const allowsNull = schema.nullable === true || (schema.anyOf ?? []).some((branch: JsonSchema) => branch.type === 'null');
    draft.body = random.pick([...(allowsNull ? [] : [null]), 0, -1, 'text', true, [], [{}], [draft.body]]);
    return `body is ${JSON.stringify(draft.body).slice(0, 40)}`;
  }

  /** A node of the generated body (the root included) made to break its schema. */
  private badBodyNode(schema: JsonSchema, draft: Draft): string {
    if (draft.body === null || typeof draft.body !== 'object') return this.badBodyShape(draft, schema);
    const nodes = schemaNodes(schema, draft.body, []);
    const [path, nodeSchema, value] = this.random.pick(nodes);
    const broken = this.breakNode(nodeSchema, value);
    if (path.length === 0) draft.body = broken.value;
    else setAt(draft.body, path, broken.value);
    return `body/${path.join('/')}: ${broken.how}`;
  }

  private breakNode(schema: JsonSchema, value: unknown): { value: unknown; how: string } {
    const { random } = this;
    const ways: Array<() => { value: unknown; how: string }> = [() => ({ value: wrongType(random, schema), how: 'wrong type' })];
    if (schema.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
      const required = (schema.required ?? []) as string[];
      if (required.length > 0) {
        ways.push(() => {
          const copy = { ...(value as Record<string, unknown>) };
          const missing = random.pick(required);
          delete copy[missing];
          return { value: copy, how: `${missing} missing` };
        });
      }
      if (schema.additionalProperties === false) {
        ways.push(() => ({ value: { ...(value as object), [random.pick(['teacherId', 'studentId', 'admin', 'extra', '__fuzz'])]: 1 }, how: 'unknown field' }));
      }
    }
    if (schema.type === 'string') {
      if (schema.maxLength !== undefined) ways.push(() => ({ value: 'y'.repeat(schema.maxLength + random.int(1, 100)), how: 'too long' }));
      if (schema.minLength) ways.push(() => ({ value: '', how: 'empty' }));
      if (schema.enum) ways.push(() => ({ value: random.pick(['EXCUSED', 'present ', 'pending', 'public_key', '']), how: 'not in enum' }));
      if (schema.pattern) ways.push(() => ({ value: breakingPattern(random, schema), how: 'breaks pattern' }));
    }
    if (schema.type === 'integer' || schema.type === 'number') {
      if (schema.minimum !== undefined) ways.push(() => ({ value: schema.minimum - random.int(1, 1000), how: 'below minimum' }));
      if (schema.maximum !== undefined) ways.push(() => ({ value: schema.maximum + random.int(1, 1000) * (schema.maximum > 1e15 ? 2 : 1), how: 'above maximum' }));
      if (schema.type === 'integer') ways.push(() => ({ value: random.pick([0.5, 1.25, 2999.9]) + (schema.minimum ?? 0), how: 'not an integer' }));
    }
    if (schema.type === 'array' && schema.maxItems !== undefined) {
      ways.push(() => ({ value: Array.from({ length: schema.maxItems + 1 }, () => this.generate(schema.items ?? {}, 1, undefined)), how: 'too many items' }));
    }
    return random.pick(ways)();
  }

  private mustRefuseTargets(schema: JsonSchema): string[] {
    return Object.keys(schema.properties ?? {}).filter((key) => this.fixtures.mustRefuse[key]);
  }

  private mustRefuseValue(schema: JsonSchema, draft: Draft): string {
    const key = this.random.pick(this.mustRefuseTargets(schema));
    const value = this.random.pick(this.fixtures.mustRefuse[key]!);
    if (draft.body === null || typeof draft.body !== 'object' || Array.isArray(draft.body)) draft.body = {};
    (draft.body as Record<string, unknown>)[key] = value;
    return `body/${key} = ${JSON.stringify(value)}`;
  }

  // ---- the request as it goes out -------------------------------------------------------------------

  private render(route: RouteSpec, draft: Draft): Omit<FuzzRequest, 'flaw'> {
    const path = route.path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
      const value = draft.params[name]!;
      return value.raw ? value.text : percentEncoded(value.text);
    });
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(draft.query)) for (const item of [value].flat()) search.append(key, item);
    const query = search.toString();
    const headers = { ...draft.headers };
    let payload: string | undefined;
    if (draft.rawBody !== undefined) payload = draft.rawBody;
    else if (draft.body !== undefined) payload = JSON.stringify(draft.body);
    if (payload !== undefined) headers['content-type'] = draft.contentType ?? 'application/json';
    return { method: draft.method, url: query ? `${path}?${query}` : path, headers, payload };
  }
}

interface RawValue {
  text: string;
  /** Put into the path as is, not percent-encoded (malformed encodings). */
  raw?: boolean;
}

interface Draft {
  method: string;
  params: Record<string, RawValue>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

type Path = Array<string | number>;

function schemaNodes(schema: JsonSchema, value: unknown, path: Path): Array<[Path, JsonSchema, unknown]> {
  const nodes: Array<[Path, JsonSchema, unknown]> = [[path, schema, value]];
  if (schema.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      if (key in (value as object)) nodes.push(...schemaNodes(child, (value as Record<string, unknown>)[key], [...path, key]));
    }
  }
  if (schema.type === 'array' && Array.isArray(value)) {
    value.forEach((item, index) => nodes.push(...schemaNodes(schema.items ?? {}, item, [...path, index])));
  }
  // A node whose schema allows anything cannot be broken by its value.
  const typed = (s: JsonSchema) => s.type !== undefined || (Array.isArray(s.anyOf) && s.anyOf.every((branch: JsonSchema) => branch.type !== undefined));
  return nodes.filter(([, s]) => typed(s));
}

/** A value whose JSON type the schema does not allow (1.5 counts as wrong for an integer). */
function wrongType(random: Random, schema: JsonSchema): unknown {
  const allowed = new Set<string>([schema.type, ...(schema.anyOf ?? []).map((b: JsonSchema) => b.type)].flat().filter(Boolean));
  // OpenAPI 3.0 says "may be null" with `nullable` rather than a type.
  if (schema.nullable === true) allowed.add('null');
  const candidates: Array<[string, unknown]> = [
    ['string', 'text'],
    ['number', 1.5],
    ['boolean', false],
    ['object', { a: 1 }],
    ['array', ['x']],
    ['null', null],
  ];
  return random.pick(candidates.filter(([type]) => !allowed.has(type)))[1];
}

/** A string that does not match the schema's pattern. */
function breakingPattern(random: Random, schema: JsonSchema): string {
  const pattern = schema.pattern ? new RegExp(schema.pattern as string) : null;
  const candidates = ['!', 'a b', 'ñ', 'x=', '12345', '1234567', 'abcdef', 'not-a-date', '2026-13-01T00:00:00Z', '2026-01-01T25:00:00Z'];
  const breaking = candidates.filter((candidate) => pattern === null || !pattern.test(candidate));
  return random.pick(breaking.length > 0 ? breaking : ['\u0000']);
}

function stringPaths(value: unknown, path: Path = []): Path[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringPaths(item, [...path, index]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
  return [];
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

function setAt(root: unknown, path: Path, value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
}

function spliceInto(random: Random, text: string, insert: string): string {
  const at = random.int(0, text.length);
  return `${text.slice(0, at)}${insert}${text.slice(at)}`;
}

/** encodeURIComponent, but a lone surrogate becomes U+FFFD (as a browser sends it) instead of throwing. */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(byte)) && byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

function randomUuid(random: Random): string {
  const hex = () => random.int(0, 15).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-${random.pick(['8', '9', 'a', 'b'])}${part(3)}-${part(12)}`;
}

function randomToken(random: Random, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  return Array.from({ length }, () => alphabet[random.int(0, alphabet.length - 1)]).join('');
}

/**
 * A WebSocket message the gateway must refuse without failing: not JSON, binary, the wrong shape, an
 * unknown type, or a known type with bad fields (session ids that are not uuids, unknown or not the
 * caller's). `sessionIds` are real sessions the caller may not project.
 */
export function malformedMessage(random: Random, sessionIds: readonly string[], badTokens: readonly string[]): string | Buffer {
  const junkValue = () =>
    random.pick<unknown>([
      null, 0, -1, 1.5, true, [], {}, [1, [2]], { a: { b: {} } }, random.pick(HOSTILE_STRINGS),
      `${random.pick(HOSTILE_STRINGS)}${random.pick(CONTROLS)}`, 'x'.repeat(random.int(65, 500)),
    ]);
  const sessionId = () =>
    random.pick<unknown>([randomUuid(random), random.pick(sessionIds), `${random.pick(sessionIds)}\u0000`, ` ${random.pick(sessionIds)}`, junkValue()]);
  const choice = random.int(0, 11);
  switch (choice) {
    case 0:
      return random.pick(['', ' ', '{', '[', 'null', '42', '"auth"', 'ping', '{"type":', '\u0000', '{"type":"ping"}}', '\ud800', `${'['.repeat(2000)}${']'.repeat(2000)}`]);
    case 1:
      return Buffer.from(Array.from({ length: random.int(0, 64) }, () => random.int(0, 255)));
    case 2:
      return JSON.stringify(junkValue());
    case 3:
      return JSON.stringify({ type: junkValue() });
    case 4:
      return JSON.stringify({ type: random.pick(['pong', 'qr', 'auth.ok', 'error', 'projector.state', 'count', 'PING', ' ping', 'projector.Subscribe', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) });
    case 5:
      return JSON.stringify({ type: 'auth', token: random.pick<unknown>([...badTokens, junkValue(), 'a'.repeat(5000)]), lang: random.pick<unknown>([undefined, 'fr', 'EN', 1, 'es']) });
    case 6:
      return JSON.stringify({ type: 'projector.subscribe', sessionId: sessionId() });
    case 7:
      return JSON.stringify({ type: 'projector.subscribe', sessionId: randomUuid(random), [random.pick(['extra', 'teacherId', 'round'])]: junkValue() });
    case 8:
      return JSON.stringify({ type: 'projector.unsubscribe', sessionId: sessionId() });
    case 9:
      return `{"type":"projector.subscribe","__proto__":{"sessionId":"${random.pick(sessionIds)}"}}`;
    case 10:
      return JSON.stringify({ type: 'projector.subscribe' });
    default:
      return JSON.stringify({ type: random.pick(['projector.subscribe', 'auth', 'projector.unsubscribe']), [random.pick(HOSTILE_STRINGS)]: junkValue() });
  }
}
