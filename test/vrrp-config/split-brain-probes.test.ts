import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINIMAL, parse } from './helpers.js';

test('split_brain_probes: default all, global default, per-instance override, none, bad names', () => {
  const def = parse(MINIMAL);
  assert.deepEqual(def.config?.instances[0]?.splitBrainProbes, ['arp', 'advert', 'ping', 'status']);

  const inherit = parse(`[global]\nsplit_brain_probes = arp, status\n\n${MINIMAL}`);
  assert.deepEqual(inherit.diagnostics, []);
  assert.deepEqual(inherit.config?.instances[0]?.splitBrainProbes, ['arp', 'status']);

  const override = parse(`[global]\nsplit_brain_probes = arp\n\n${MINIMAL}split_brain_probes = none\n`);
  assert.deepEqual(override.config?.instances[0]?.splitBrainProbes, []);

  const bad = parse(`${MINIMAL}split_brain_probes = arp, telepathy\n`);
  const e = bad.diagnostics.find((d) => d.severity === 'error');
  assert.equal(e?.code, 'E-BAD-ENUM');
  assert.equal(e?.line, 5);
  assert.match(e?.message ?? '', /unknown split-brain probe "telepathy": use any of arp, advert, ping, status/);
});
