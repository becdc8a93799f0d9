// The status document's schema check and answer verification, as pure functions: what a
// peer may put in each field, and that only a signed answer to this very request passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStatusDocument, signStatusBody, verifyStatusAnswer } from '../../src/splitbrain/status-document.js';
import { statusAnswer } from '../../src/splitbrain/status-server.js';
import type { StatusDocument } from '../../src/splitbrain/status-document.js';

const VI: StatusDocument['instances'][number] = { name: 'VI_1', vrid: 51, family: 4, state: 'MASTER', priority: 100, effectivePriority: 90, address: '10.0.0.12', splitBrain: 'none' };
const DOC: StatusDocument = { program: 'haldir-vrrp', routerId: 'lbB', instances: [VI] };
const KEY = 'sixteen-chars-key!';
const NONCE = 'ab'.repeat(16);

test('schema: every field typed and in range; addresses parse as IPs of the family', () => {
  assert.ok('ok' in checkStatusDocument(DOC));
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ priority: 256 }, /priority/],
    [{ effectivePriority: -1 }, /effectivePriority/],
    [{ vrid: 0 }, /vrid/],
    [{ family: 5 }, /family/],
    [{ state: 'LEADER' }, /state/],
    [{ address: 'fe80::1' }, /address/], // IPv6 text in an IPv4 instance
    [{ address: 'fe80::1%eth0', family: 6 }, /address/],
    [{ address: 'lb02.example.com' }, /address/],
    [{ name: 'VI 1' }, /name/],
    [{ splitBrain: 'maybe' }, /splitBrain/],
  ];
  for (const [edit, re] of bad) {
    const r = checkStatusDocument({ ...DOC, instances: [{ ...VI, ...edit }] });
    assert.ok('error' in r && re.test(r.error), `${JSON.stringify(edit)}: ${JSON.stringify(r)}`);
  }
  assert.ok('error' in checkStatusDocument({ ...DOC, routerId: 'a\nb' }));
  assert.ok('error' in checkStatusDocument({ ...DOC, instances: Array(17).fill(VI) }));
  assert.ok('error' in checkStatusDocument({ ...DOC, program: 'nginx' }));
  assert.ok('error' in checkStatusDocument([]));
});

test('verification: only a signed answer to this nonce and instance, within the clock window', () => {
  const now = 1_767_225_600_000;
  const want = { secret: KEY, nonce: NONCE, instance: 'VI_1', now };
  const a = statusAnswer(DOC, 'VI_1', NONCE, now + 5000, KEY);
  assert.equal(verifyStatusAnswer(Buffer.from(a.body), a.signature, want).kind, 'ok');
  assert.equal(verifyStatusAnswer(Buffer.from(a.body), a.signature, { ...want, secret: undefined }).kind, 'unauthenticated');
  assert.equal(verifyStatusAnswer(Buffer.from(a.body), undefined, want).kind, 'unauthenticated');
  // One changed byte in the body breaks the signature.
  assert.equal(verifyStatusAnswer(Buffer.from(a.body.replace('"priority":100', '"priority":200')), a.signature, want).kind, 'unauthenticated');
  assert.equal(verifyStatusAnswer(Buffer.from(a.body), a.signature, { ...want, nonce: 'cd'.repeat(16) }).kind, 'unauthenticated');
  assert.equal(verifyStatusAnswer(Buffer.from(a.body), a.signature, { ...want, instance: 'VI_2' }).kind, 'unauthenticated');
  assert.equal(verifyStatusAnswer(Buffer.from(a.body), a.signature, { ...want, now: now + 60_000 }).kind, 'unauthenticated');
  // Signed garbage is still refused, by the schema.
  const junk = '{"program":"haldir-vrrp"}';
  assert.equal(verifyStatusAnswer(Buffer.from(junk), signStatusBody(junk, KEY), want).kind, 'invalid');
});
