/**
 * Generates hostile requests from an OpenAPI document: wrong types, huge and odd
 * Unicode strings, nulls, missing and extra fields, odd path parameters, wrong
 * content types and charsets. Deterministic for a given seed.
 */

type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  format?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  example?: unknown;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  bodySchema?: Schema;
}

export interface FuzzRequest {
  operation: string;
  method: string;
  /** Path and query, already encoded as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What was done to the request, for the failure message. */
  mutation: string;
}

/** Values a fuzzer may put in a path segment, each as sent (already percent-encoded or raw on purpose). */
export interface PathPool {
  /** Real ids the caller may or may not own, keyed by parameter name (falls back to `id`). */
  known: Record<string, string[]>;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  'a'.repeat(100_000),
  'é'.repeat(40_000),
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\u202Eevil.test\u202C',
  '\u200F\u200Ertl',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301\u0301',
  '../../../etc/passwd',
  '..\\..\\windows',
  '%00',
  '%2e%2e%2f',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '\uFEFFbom',
  '\r\nX-Injected: 1',
  'ａｄｍｉｎ',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'true',
  'null',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '2026-13-45T99:99:99Z',
  'xn--',
  '*.example.org',
  'a@b',
  '\t\n\u000b\f\r',
  '0 0 29 2 *',
  '0 0 L 2 *',
  '59 23 31 12 5',
  '*/1 */1 * * *',
  '0 0 1 1 * *',
];

const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e308,
  [],
  [null],
  ['a'.repeat(10_000)],
  {},
  { nested: { deeper: [1, 2, 3] } },
  { __proto__: null, constructor: 'x' },
  Array.from({ length: 2000 }, (_, i) => i),
];

const ODD_PATH_SEGMENTS: readonly string[] = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'x'.repeat(4000),
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'ABCDEFAB-CDEF-4BCD-8BCD-ABCDEFABCDEF',
  '12345678-1234-1234-1234-1234567890123',
  '%00',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%',
  '%ZZ',
  '%D8%00',
  '%C0%AE%C0%AE',
  '%F0%9F%98%80',
  '%E2%80%AE',
  'a%2Fb',
  'null',
  'undefined',
  '-1',
  '1e999',
  'latest',
  '%20',
  '%0d%0aX-Injected:%201',
];

const CONTENT_TYPES: readonly string[] = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-7',
  'application/json; charset=latin1',
  'application/json; charset=ebcdic',
  'application/json; charset=utf-16',
  'application/json; charset="utf-8"',
  'application/merge-patch+json',
  'application/octet-stream',
  '',
  'application/json;;;',
  'application/json; charset=',
];

export class RequestFuzzer {
  private readonly random: () => number;
  /** Real ids for the request being built: fields named like `memberId` take one. */
  private ids: string[] = [];

  constructor(
    private readonly document: OpenApiDocument,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  operations(): Operation[] {
    return Object.entries(this.document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        bodySchema: op.requestBody ? Object.values(op.requestBody.content)[0]?.schema : undefined,
      })),
    );
  }

  /** One hostile request for the operation; `pool` supplies real ids so some requests get past the 404s. */
  next(operation: Operation, pool: PathPool): FuzzRequest {
    const notes: string[] = [];
    this.ids = Object.values(pool.known).flat();
    const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const segment = this.pathSegment(name, pool);
      notes.push(`${name}=${preview(segment)}`);
      return segment;
    });
    const query = this.query(operation, notes);
    const headers: Record<string, string> = {};
    for (const parameter of operation.parameters.filter((p) => p.in === 'header')) {
      if (this.chance(0.7)) headers[parameter.name] = this.pick(['xx', '*', 'de-DE;q=2', 'en;q=abc', ',,,', '\u00ff\u00e9'.repeat(50), 'a'.repeat(4000)]);
    }
    const request: FuzzRequest = { operation: `${operation.method} ${operation.path}`, method: operation.method, url: path + query, headers, mutation: '' };
    if (operation.method !== 'GET' && operation.method !== 'HEAD') this.body(operation, request, notes);
    request.mutation = notes.join('; ');
    return request;
  }

  /** A request shaped as the document describes it, with real ids: for storms of identical requests sent at once. */
  shaped(operation: Operation, pool: PathPool): FuzzRequest {
    this.ids = Object.values(pool.known).flat();
    const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(this.pick(pool.known[name] ?? pool.known.id ?? ['x'])));
    const request: FuzzRequest = { operation: `${operation.method} ${operation.path}`, method: operation.method, url: path, headers: {}, mutation: 'storm of identical requests' };
    if (operation.method !== 'GET' && operation.bodySchema) {
      request.headers['content-type'] = 'application/json';
      request.body = JSON.stringify(this.valid(this.resolve(operation.bodySchema), 0));
    }
    return request;
  }

  private pathSegment(name: string, pool: PathPool): string {
    const known = pool.known[name] ?? pool.known.id ?? [];
    if (known.length > 0 && this.chance(0.45)) return encodeURIComponent(this.pick(known));
    if (this.chance(0.3)) return encodeOdd(this.pick(ODD_STRINGS).slice(0, 2000));
    return this.pick(ODD_PATH_SEGMENTS);
  }

  private query(operation: Operation, notes: string[]): string {
    const parts: string[] = [];
    for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
      if (this.chance(0.35)) continue;
      const roll = this.random();
      const key = encodeURIComponent(parameter.name);
      if (roll < 0.3) parts.push(`${key}=${encodeURIComponent(String(this.valid(parameter.schema ?? {}, 0)))}`);
      else if (roll < 0.6) parts.push(`${key}=${encodeOdd(this.pick(ODD_STRINGS).slice(0, 3000))}`);
      else if (roll < 0.7) parts.push(`${key}=1`, `${key}=2`);
      else if (roll < 0.8) parts.push(`${key}[a]=1`, `${key}[__proto__][x]=1`);
      else if (roll < 0.9) parts.push(`${key}=${this.pick(ODD_PATH_SEGMENTS)}`);
      else parts.push(key);
    }
    if (this.chance(0.15)) parts.push(`${this.pick(['__proto__', 'constructor', 'extra', 'a'.repeat(500)])}=${this.pick(ODD_PATH_SEGMENTS)}`);
    if (parts.length) notes.push(`query ${preview(parts.join('&'))}`);
    return parts.length ? `?${parts.join('&')}` : '';
  }

  private body(operation: Operation, request: FuzzRequest, notes: string[]): void {
    const schema = operation.bodySchema ? this.resolve(operation.bodySchema) : undefined;
    const valid = schema ? (this.valid(schema, 0) as Record<string, unknown>) : {};
    const roll = this.random();
    const json = (value: unknown, note: string) => {
      request.headers['content-type'] = 'application/json';
      request.body = JSON.stringify(value);
      notes.push(note);
    };
    const fields = schema?.properties ? Object.keys(schema.properties) : [];
    if (roll < 0.12) return json(valid, 'schema-shaped body');
    if (roll < 0.4 && fields.length) {
      const field = this.pick(fields);
      const value = this.chance(0.6) ? this.pick(ODD_STRINGS) : this.pick(ODD_VALUES);
      return json({ ...valid, [field]: value }, `${field}=${preview(JSON.stringify(value) ?? 'undefined')}`);
    }
    if (roll < 0.5 && schema?.required?.length) {
      const missing = this.pick(schema.required);
      const rest = { ...valid };
      delete rest[missing];
      return json(rest, `missing ${missing}`);
    }
    if (roll < 0.58) {
      const extra = this.pick(['isAdmin', 'role', 'memberId', 'id', 'constructor', 'a'.repeat(300), '\u0000']);
      return json({ ...valid, [extra]: this.pick(ODD_VALUES) }, `extra field ${preview(extra)}`);
    }
    if (roll < 0.64) {
      request.headers['content-type'] = 'application/json';
      request.body = this.pick([
        '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        `{"${fields[0] ?? 'name'}":"\\ud800"}`,
        `{"${fields[0] ?? 'name'}":"a\\u0000b"}`,
        `{"${fields[0] ?? 'name'}":"\\udfff\\ud800"}`,
        '{"a":1,"a":2}',
        '{',
        '{"x":}',
        '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
        '\uFEFF{}',
        '{"deep":' + '{"a":'.repeat(500) + '1' + '}'.repeat(500) + '}',
      ]);
      notes.push(`raw json ${preview(String(request.body))}`);
      return;
    }
    if (roll < 0.72) {
      const value = this.pick<unknown>([[valid], [], null, 'string', 42, true, [[valid, valid]]]);
      return json(value, `top-level ${preview(JSON.stringify(value))}`);
    }
    if (roll < 0.86) {
      request.headers['content-type'] = this.pick(CONTENT_TYPES);
      request.body = this.chance(0.5) ? JSON.stringify(valid) : 'a=1&b=%00&__proto__[x]=1';
      notes.push(`content-type ${JSON.stringify(request.headers['content-type'])}`);
      return;
    }
    if (roll < 0.9) {
      request.headers['content-type'] = 'application/json';
      request.body = JSON.stringify({ ...valid, padding: 'p'.repeat(300_000) });
      notes.push('body over the size limit');
      return;
    }
    if (roll < 0.95) {
      request.headers['content-type'] = 'application/json';
      request.body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]);
      notes.push('invalid UTF-8 bytes');
      return;
    }
    notes.push('no body');
  }

  /** A value the schema accepts, as far as a generator can tell. */
  private valid(schema: Schema, depth: number): unknown {
    const s = this.resolve(schema);
    if (s.enum?.length) return this.pick(s.enum);
    if (s.example !== undefined && this.chance(0.7)) return s.example;
    const type = s.type ?? (s.properties ? 'object' : 'string');
    switch (type) {
      case 'object': {
        const value: Record<string, unknown> = {};
        if (depth > 4) return value;
        for (const [name, property] of Object.entries(s.properties ?? {})) {
          if (!s.required?.includes(name) && this.chance(0.5)) continue;
          value[name] = this.named(name) ?? this.valid(property, depth + 1);
        }
        return value;
      }
      case 'array':
        return depth > 4 ? [] : [this.valid(s.items ?? {}, depth + 1)];
      case 'integer':
        return Math.floor(s.minimum ?? 1) + Math.floor(this.random() * 3);
      case 'number':
        // class-validator's IsInt shows as number in the document; whole numbers pass both
        return Math.min(Math.floor(s.minimum ?? 1) + Math.floor(this.random() * 3), s.maximum ?? Infinity);
      case 'boolean':
        return this.chance(0.5);
      default:
        return this.stringFor(s);
    }
  }

  /** Field names tell what a bare `string` in the document means: ids, dates, e-mail addresses, domains of our own. */
  private named(name: string): unknown {
    if (/Id$/.test(name) && this.ids.length && this.chance(0.8)) return this.pick(this.ids);
    if (/date|until|after|received|At$/i.test(name)) return new Date(Date.UTC(2027, 0, 1 + Math.floor(this.random() * 60))).toISOString();
    if (/email/i.test(name)) return 'a@example.org';
    // suites share one database: the document's example domains are other suites' sites
    if (name === 'domains') return [`d${Math.floor(this.random() * 1e6)}.fuzz.test`];
    return undefined;
  }

  private stringFor(s: Schema): string {
    switch (s.format) {
      case 'uuid':
        return '6f1c2b8e-1a7d-4c3e-9a55-0d2a6f0e9b11';
      case 'email':
        return 'someone@example.org';
      case 'date-time':
        return '2026-12-01T12:00:00.000Z';
      case 'uri':
        return 'https://example.org/';
      default:
        return this.pick(['fuzz.test', 'www.fuzz.test', 'a sentence', 'x', '0 3 * * *', '0 0 29 2 *', '0 4 1 * *']).slice(0, s.maxLength ?? 100);
    }
  }

  private resolve(schema: Schema): Schema {
    if (schema.$ref) {
      const name = schema.$ref.split('/').pop()!;
      return this.resolve(this.document.components?.schemas?.[name] ?? {});
    }
    const combined = schema.allOf ?? schema.oneOf ?? schema.anyOf;
    if (combined?.length) return this.resolve(combined[0]);
    return schema;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)];
  }
}

/** encodeURIComponent, except that a lone surrogate becomes the (invalid) UTF-8 bytes a careless client would send. */
function encodeOdd(text: string): string {
  return text
    .split(/([\uD800-\uDFFF])/)
    .map((part) => (/^[\uD800-\uDFFF]$/.test(part) ? '%ED%' + (0x80 | ((part.charCodeAt(0) >> 6) & 0x3f)).toString(16).toUpperCase() + '%' + (0x80 | (part.charCodeAt(0) & 0x3f)).toString(16).toUpperCase() : encodeURIComponent(part)))
    .join('');
}

function preview(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 40)}…(${text.length} chars)` : text;
  return JSON.stringify(shown);
}
