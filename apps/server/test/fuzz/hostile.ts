import fc from 'fast-check';

/** Generators of hostile input, shared by every fuzz target. */

const lone = fc.constantFrom('\ud800', '\udbff', '\udc00', 'a\ud83d', '\ude00b');

/** Strings that broke (or could break) something: NUL, lone surrogates, huge, numeric-looking, injection-ish. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '',
      '\u0000',
      'a\u0000b',
      '%00',
      '\u200b'.repeat(2000),
      ' '.repeat(5000),
      '\t\n\r',
      '1e23',
      '-1',
      '0',
      '-0',
      '1.5',
      '9'.repeat(30),
      '0x10',
      'NaN',
      'Infinity',
      'null',
      'true',
      '__proto__',
      'constructor',
      'prototype',
      '../../../etc/passwd',
      '..\\..\\boot.ini',
      '%',
      '%ZZ',
      "' OR '1'='1' --",
      '"; DROP TABLE tickets; --',
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '{{7*7}}#{7*7}<%= 7*7 %>',
      'javascript:alert(1)',
      'http://127.0.0.1:22/',
      '😀'.repeat(300),
      '\u202eevil',
      'é\u0301',
      '#'.repeat(6) + ' '.repeat(3000) + '\u200b',
    ),
  },
  { weight: 3, arbitrary: lone },
  // NUL somewhere in otherwise ordinary text (PostgreSQL text cannot hold it).
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }))
      .map(([a, b]) => `${a}\u0000${b}`),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      maxLength: 20,
    }),
  },
  { weight: 1, arbitrary: fc.nat({ max: 300_000 }).map((n) => 'x'.repeat(n)) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    1e23,
    -1e23,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31) - 1,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    Number.MAX_VALUE,
    1e-300,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, with hostile leaves and keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'name', 'email'), hostileString),
      tie('v'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).v;

/** Request bodies no JSON serialiser would write: broken, deep, duplicate and prototype keys, odd encodings. */
export const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"a":',
    'null',
    '[]',
    '"text"',
    '123',
    '1e400',
    '{"a":1,"a":{"b":2}}',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    '\ufeff{}',
    '{"a":"\\u0000"}',
    '{"a":"\\ud800"}',
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
    `[${'1,'.repeat(50_000)}1]`,
  ),
  fc.constantFrom(
    Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
    Buffer.from('{"a":"\xc3"}', 'latin1'),
  ),
  fc.string({ maxLength: 200 }),
);

export const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'application/xml',
  'message/rfc822',
  'application/octet-stream',
  'application/vnd.unknown+json',
);

/** A value for an id in a path: sometimes a real small id, mostly something that is not one. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map(String),
  fc.constantFrom(
    '0',
    '-1',
    '1e23',
    '99999999999999999999',
    '9007199254740993',
    '2147483648',
    '1.5',
    'abc',
    ' 1',
    '0x1f',
    'null',
  ),
  hostileString,
);

/**
 * Pick one location in a JSON value and replace it with something hostile. Most picks land on a
 * string leaf and keep the value otherwise valid, so the hostile text gets past validation to the
 * handler and the database; the rest replace any node (the whole value included) with any JSON.
 */
export function mutateAt(value: unknown, pick: number, replacement: unknown, text?: string): unknown {
  const paths: (string | number)[][] = [[]];
  const strings: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    if (p.length > 8 || v === null || typeof v !== 'object') return;
    for (const [k, c] of Object.entries(v)) {
      const next = [...p, Array.isArray(v) ? Number(k) : k];
      paths.push(next);
      if (typeof c === 'string') strings.push(next);
      walk(c, next);
    }
  };
  walk(value, []);
  const onString = text !== undefined && strings.length > 0 && pick % 10 < 7;
  const path = onString ? strings[pick % strings.length]! : paths[pick % paths.length]!;
  const repl = onString ? text : replacement;
  if (path.length === 0) return repl;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = repl;
  return copy;
}

type Schema = Record<string, unknown>;

/** Values that mostly pass validation (so the handler and the database are reached), from a JSON Schema. */
export function fromSchema(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 6) return fc.constant(null);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alts?.length) return fc.oneof(...alts.map((a) => fromSchema(a, depth + 1)));
  if (Array.isArray(s.allOf) && s.allOf.length) return fromSchema(s.allOf[0] as Schema, depth + 1);
  const type = Array.isArray(s.type) ? s.type : [s.type];
  const arbs = type.map((t) => {
    switch (t) {
      case 'string': {
        if (s.format === 'email') return fc.constantFrom('shopper@example.com', 'a.b+c@example.org');
        if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
        if (s.format === 'uri' || s.format === 'url')
          return fc.constantFrom('https://example.com/a', 'http://localhost/');
        const min = Number(s.minLength ?? 0);
        const max = Math.max(min, Math.min(Number(s.maxLength ?? 24), 24));
        return fc.string({ minLength: min, maxLength: max });
      }
      case 'integer': {
        const min = Math.max(
          Number(s.minimum ?? (s.exclusiveMinimum !== undefined ? Number(s.exclusiveMinimum) + 1 : -1000)),
          -1e9,
        );
        const max = Math.min(Number(s.maximum ?? s.exclusiveMaximum ?? 1000), 1e9);
        const lo = Math.ceil(min);
        const hi = Math.max(lo, Math.floor(max));
        // Small numbers mostly: ids that exist, positions and limits in range.
        return fc.oneof(
          {
            weight: 3,
            arbitrary: fc.integer({
              min: Math.max(lo, Math.min(1, hi)),
              max: Math.max(Math.max(lo, Math.min(1, hi)), Math.min(hi, 12)),
            }),
          },
          { weight: 1, arbitrary: fc.integer({ min: lo, max: hi }) },
        );
      }
      case 'number':
        return fc.double({ min: Number(s.minimum ?? -1000), max: Number(s.maximum ?? 1000), noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const items = fromSchema(s.items as Schema | undefined, depth + 1);
        const min = Number(s.minItems ?? 0);
        return fc.array(items, {
          minLength: min,
          maxLength: Math.max(min, Math.min(Number(s.maxItems ?? 3), 3)),
        });
      }
      case 'object': {
        const props = (s.properties ?? {}) as Record<string, Schema>;
        const required = (s.required ?? []) as string[];
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) model[k] = fromSchema(v, depth + 1);
        if (!Object.keys(model).length)
          return fc.dictionary(
            fc.string({ maxLength: 8 }),
            fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
            {
              maxKeys: 3,
            },
          );
        // Optional fields now and then: each one more is one more chance to be refused for something else.
        const req = required.filter((k) => k in model);
        const optional = Object.keys(model).filter((k) => !req.includes(k));
        return fc
          .tuple(
            fc.record(Object.fromEntries(req.map((k) => [k, model[k]!]))),
            fc
              .subarray(optional, { maxLength: Math.min(2, optional.length) })
              .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, model[k]!])))),
          )
          .map(([a, b]) => ({ ...a, ...b }));
      }
      default:
        return fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean());
    }
  });
  return arbs.length === 1 ? arbs[0]! : fc.oneof(...arbs);
}
