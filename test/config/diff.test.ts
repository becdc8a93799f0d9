// Reload diff: added / removed / changed virtuals and reals, with the changed fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffConfigs, isEmptyDiff } from '../../src/config/diff.js';
import { ok } from './helpers.js';

const BASE = `quiescent=no
virtual=192.0.2.1:80
\treal=192.0.2.2:80 gate
\treal=192.0.2.3:80 gate 2
\trequest="/a"
virtual=192.0.2.1:443
\treal=192.0.2.2:443 masq
`;

test('identical configs (even with moved lines and comments) give an empty diff', () => {
  const moved = `# comment\n\nvirtual=192.0.2.1:443\n\treal=192.0.2.2:443 masq\nquiescent=no\nvirtual=192.0.2.1:80\n\trequest="/a"\n\treal=192.0.2.2:80 gate\n\treal=192.0.2.3:80 gate 2\n`;
  const d = diffConfigs(ok(BASE), ok(moved));
  assert.ok(isEmptyDiff(d), JSON.stringify(d, null, 1));
  assert.deepEqual([...d.unchanged].sort(), ['tcp:192.0.2.1:443', 'tcp:192.0.2.1:80']);
});

test('added, removed and changed virtuals and reals, naming the fields', () => {
  const next = `quiescent=yes
virtual=192.0.2.1:80
\treal=192.0.2.3:80 gate 5
\treal=192.0.2.4:80 gate
\trequest="/b"
virtual=192.0.2.1:8080
\treal=192.0.2.2:8080 masq
`;
  const d = diffConfigs(ok(BASE), ok(next));
  assert.deepEqual(d.added.map((v) => v.id), ['tcp:192.0.2.1:8080']);
  assert.deepEqual(d.removed.map((v) => v.id), ['tcp:192.0.2.1:443']);
  assert.equal(d.changed.length, 1);
  const c = d.changed[0]!;
  assert.equal(c.id, 'tcp:192.0.2.1:80');
  assert.deepEqual(c.fields.map((f) => f.field), ['quiescent', 'request']);
  assert.deepEqual(c.fields.find((f) => f.field === 'request'), { field: 'request', before: '/a', after: '/b' });
  assert.deepEqual(c.realsAdded.map((r) => r.address), ['192.0.2.4']);
  assert.deepEqual(c.realsRemoved.map((r) => r.address), ['192.0.2.2']);
  assert.deepEqual(c.realsChanged.map((r) => [r.key, r.fields.map((f) => f.field)]), [['192.0.2.3:80', ['request', 'weight']]]);
  assert.deepEqual(d.global.map((f) => f.field), ['quiescent']);
  assert.ok(!isEmptyDiff(d));
});

test('IPv6 real keys are bracketed', () => {
  const a = ok('virtual6=[2001:db8::1]:80\n\treal6=[2001:db8::2]:80 gate\n');
  const b = ok('virtual6=[2001:db8::1]:80\n\treal6=[2001:db8::2]:80 gate 3\n');
  assert.deepEqual(diffConfigs(a, b).changed[0]!.realsChanged.map((r) => r.key), ['[2001:db8::2]:80']);
});
