// Property: random and mutated configs never crash the parser and always yield either a
// model or at least one error with a line number (fast-check, fixed seed, bounded runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fc, fuzzSeed } from '../helpers/fuzz.js';
import { fixtureNames, readFixture } from './fixture-manifest.js';
import { parse } from './helpers.js';

const seeds = fixtureNames().map(readFixture);

function check(text: string): void {
  const r = parse(text);
  const lines = text.split('\n').length;
  for (const d of r.diagnostics) {
    assert.ok(d.line >= 0 && d.line <= lines, `diagnostic line ${d.line} outside 0..${lines}`);
    assert.ok(d.column >= 1);
    assert.ok(d.message.length > 0 && /^[EWN]-[A-Z-]+$/.test(d.code));
  }
  if (r.config) {
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0);
    for (const v of r.config.virtuals) for (const real of v.reals) assert.ok(real.port >= 0 && real.port < 65536);
  } else {
    assert.ok(r.diagnostics.some((d) => d.severity === 'error' && d.line > 0), 'an invalid config needs an error with a line');
  }
}

const token = fc.constantFrom(
  'virtual=', 'virtual6=', 'real=', 'real6=', '\t', '    ', ' ', '=', ':', '->', '#', '"', ',', '\n', '\r\n', '[', ']',
  '127.0.0.1', '::1', '80', 'http', 'gate', 'masq', 'ipip', 'yes', 'no', 'checktype', 'negotiate', 'fallback', 'request',
  'receive', 'quiescent', 'scheduler', 'wrr', 'l:5', 'u:9', '5', '0', 'abc', 'localhost', '(?i)', 'fwm', 'protocol', 'udp',
);

test('random token soup never crashes the parser', () => {
  fc.assert(fc.property(fc.array(token, { maxLength: 60 }).map((t) => t.join('')), check), { numRuns: 400, seed: fuzzSeed(7) });
});

test('mutated fixtures never crash the parser', () => {
  const mutation = fc.tuple(fc.nat(seeds.length - 1), fc.nat(2000), fc.nat(20), fc.string({ maxLength: 12 }));
  fc.assert(
    fc.property(mutation, ([i, at, del, insert]) => {
      const s = seeds[i]!;
      const p = s.length ? at % s.length : 0;
      check(s.slice(0, p) + insert + s.slice(p + del));
    }),
    { numRuns: 600, seed: fuzzSeed(11) },
  );
});

test('line-shuffled fixtures never crash the parser', () => {
  fc.assert(
    fc.property(fc.nat(seeds.length - 1), fc.array(fc.nat(40), { maxLength: 15 }), (i, order) => {
      const lines = seeds[i]!.split('\n');
      check(order.map((k) => lines[k % lines.length]).join('\n'));
    }),
    { numRuns: 300, seed: fuzzSeed(13) },
  );
});
