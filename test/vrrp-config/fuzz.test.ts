// Property tests: the line scan reads what ini reads, and no input crashes the parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fc } from '../helpers/fuzz.js';
import ini from 'ini';
import { scanIni } from '../../src/vrrp-config/ini-scan.js';
import { importKeepalived } from '../../src/vrrp-config/import-keepalived.js';
import { parse, repoFile } from './helpers.js';

const lineArb = fc.oneof(
  fc.constantFrom('[global]', '[vrrp_instance VI_1]', '[vrrp_script s]', '', '; c', '# c', '  ', 'x', 'a = "q;#"', "b = 'x'", 'c = d # e', 'k[] = 1', 'k[] = 2', 'e = true', 'f = null'),
  fc.tuple(
    fc.stringMatching(/^[a-z_\[\] ]{0,8}$/),
    fc.constantFrom('=', ' = ', ''),
    fc.string({ unit: fc.constantFrom('a', 'b', ' ', ';', '#', '"', "'", '\\', '=', '[', ']', '.', '1') , maxLength: 10 }),
  ).map(([k, eq, v]) => k + eq + v),
);

test('grouping the line scan reproduces ini.parse (dot-free sections)', () => {
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 25 }), (lines) => {
      const text = lines.filter((l) => !l.includes('.')).join('\n');
      const scan = scanIni(text);
      const expected = ini.parse(text) as Record<string, unknown>;
      const built: Record<string, Record<string, unknown>> = Object.create(null);
      const put = (into: Record<string, unknown>, e: (typeof scan.topLevel.entries)[number]) => {
        if (e.key === '__proto__') return;
        const raw = e.bare ? true : e.value;
        const v = raw === 'true' || raw === 'false' || raw === 'null' ? JSON.parse(raw) : raw;
        if (e.isArray) {
          const cur = into[e.key];
          into[e.key] = Array.isArray(cur) ? [...cur, v] : Object.hasOwn(into, e.key) ? [cur, v] : [v];
        } else if (Array.isArray(into[e.key])) (into[e.key] as unknown[]).push(v);
        else into[e.key] = v;
      };
      const top: Record<string, unknown> = Object.create(null);
      for (const e of scan.topLevel.entries) put(top, e);
      for (const s of scan.sections) {
        // ini: `p = out[section] || {}`: a section named like a truthy top-level key writes into that value (lost)
        if (s.name === '__proto__' || (Object.hasOwn(top, s.name) && top[s.name])) continue;
        const into = (built[s.name] ??= Object.create(null));
        for (const e of s.entries) put(into, e);
      }
      const merged: Record<string, unknown> = { ...top };
      for (const [k, v] of Object.entries(built)) merged[k] = v;
      assert.deepEqual(JSON.parse(JSON.stringify(merged)), JSON.parse(JSON.stringify(expected)));
    }),
    { numRuns: 400 },
  );
});

function checkResult(text: string): void {
  const r = parse(text);
  const lines = text.split(/\r\n|\r|\n/).length;
  if (r.config === undefined) assert.ok(r.diagnostics.some((d) => d.severity === 'error'), 'no model without an error');
  for (const d of r.diagnostics) {
    assert.ok(Number.isInteger(d.line) && d.line >= 0 && d.line <= lines, `line ${d.line} of ${lines}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `column ${d.column}`);
    assert.match(d.code, /^[EW]-[A-Z0-9-]+$/);
    assert.ok(d.message.length > 0);
    // only a missing instance is about the file as a whole
    if (d.line === 0) assert.equal(d.code, 'E-NO-INSTANCES');
  }
}

test('random text never crashes the parser; every diagnostic has a position', () => {
  fc.assert(fc.property(fc.array(lineArb, { maxLength: 30 }), (lines) => checkResult(lines.join('\n'))), { numRuns: 500 });
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => checkResult(s)), { numRuns: 300 });
});

/** One mutation step of the fuzz tests: at a position (or line), delete, insert, duplicate or drop. */
interface Mutation {
  readonly at: number;
  readonly kind: 'delete' | 'insert' | 'dupline' | 'dropline';
  readonly ch: string;
}

function mutate(seed: string, ops: readonly Mutation[]): string {
  let text = seed;
  for (const op of ops) {
    const at = text.length === 0 ? 0 : op.at % text.length;
    if (op.kind === 'delete') text = text.slice(0, at) + text.slice(at + 1);
    else if (op.kind === 'insert') text = text.slice(0, at) + op.ch + text.slice(at);
    else {
      const ls = text.split('\n');
      const i = ls.length === 0 ? 0 : op.at % ls.length;
      if (op.kind === 'dupline') ls.splice(i, 0, ls[i] ?? '');
      else ls.splice(i, 1);
      text = ls.join('\n');
    }
  }
  return text;
}

test('mutated real configs never crash the parser', () => {
  const seeds = ['etc/vrrp.cf', 'etc/examples/vrrp-single-lb01.cf', 'etc/examples/vrrp-dual-director1.cf'].map(repoFile);
  const mutation = fc.record({
    seed: fc.nat(seeds.length - 1),
    ops: fc.array(
      fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'dupline', 'dropline'), ch: fc.constantFrom(';', '#', '[', ']', '=', '"', '\n', ' ', 'x', '.', '0', '-', '{', '}') }),
      { minLength: 1, maxLength: 8 },
    ),
  });
  fc.assert(
    fc.property(mutation, ({ seed, ops }) => {
      const text = mutate(seeds[seed] ?? '', ops);
      checkResult(text);
    }),
    { numRuns: 500 },
  );
});

test('import-keepalived on mutated keepalived.conf files never crashes, and its output always passes configtest', () => {
  const seeds = ['every-block.conf', 'edge-cases.conf', 'seed000-director2-missing-brace.conf', 'samples/keepalived.conf.vrrp.sync.conf'].map(
    (f) => repoFile(`test/fixtures/keepalived/${f}`),
  );
  const mutation = fc.record({
    seed: fc.nat(seeds.length - 1),
    ops: fc.array(
      fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'dupline', 'dropline'), ch: fc.constantFrom('{', '}', '"', '!', '#', ';', '\n', ' ', 'x', '.', '0', ':', '@', 'weight 300', 'priority 0', 'state MASTER', 'nopreempt') }),
      { minLength: 1, maxLength: 10 },
    ),
  });
  fc.assert(
    fc.property(mutation, ({ seed, ops }) => {
      const text = mutate(seeds[seed] ?? '', ops);
      const r = importKeepalived(text, 'k.conf');
      const errors = parse(r.vrrpCf).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
      assert.ok(errors.every((c) => c === 'E-NO-INSTANCES'), `${errors.join(',')}\n--- input:\n${text}\n--- output:\n${r.vrrpCf}`);
      for (const u of r.unconverted) assert.ok(Number.isInteger(u.line) && u.line >= 0 && u.reason.length > 0);
    }),
    { numRuns: 400 },
  );
});
