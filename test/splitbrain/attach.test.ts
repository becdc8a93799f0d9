// From vrrp.cf to what the monitor runs: per-instance overrides of the [global]
// split-brain directives, distinct status listeners, and the status -v lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVrrpConfig } from '../../src/vrrp-config/parse.js';
import { formatSplitBrainLines, monitoredInstances, statusListeners } from '../../src/splitbrain/attach.js';
import type { InstanceStatusWithSplitBrain } from '../../src/splitbrain/attach.js';

const CF = `[global]
router_id = lb01
peer = 10.0.0.11
status_listen = 10.0.0.10:7474
split_brain_action = yield
notify_split_brain = /etc/ha.d/sb.sh "two words"

[vrrp_instance VI_1]
state = MASTER
interface = eth0
virtual_router_id = 50
priority = 150
virtual_ipaddress[] = 10.0.0.100/24
virtual_ipaddress[] = 10.0.0.101/24 dev eth1

[vrrp_instance VI_2]
interface = eth0
virtual_router_id = 51
version = 3
advert_int = 0.5
virtual_ipaddress[] = fd00::100/64
peer = [fd00::11]:8000
status_listen = 10.0.0.10:7474
split_brain_action = script:/usr/local/bin/fence --hard
`;

test('vrrp.cf split-brain directives become the monitored instances', () => {
  const r = parseVrrpConfig(CF, 'vrrp.cf');
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  const [vi1, vi2] = monitoredInstances(r.config);
  assert.deepEqual(vi1, {
    name: 'VI_1',
    vrid: 50,
    family: 4,
    advertIntervalMs: 1000,
    vips: [
      { address: '10.0.0.100', dev: 'eth0' },
      { address: '10.0.0.101', dev: 'eth1' },
    ],
    peer: { host: '10.0.0.11', port: 7474 },
    localAddress: '10.0.0.10',
    action: { kind: 'yield' },
    notify: ['/etc/ha.d/sb.sh', 'two words'],
    garpRepeat: 5,
    probes: ['arp', 'advert', 'ping', 'status'],
  });
  assert.equal(vi2!.family, 6);
  assert.equal(vi2!.advertIntervalMs, 500);
  assert.deepEqual(vi2!.peer, { host: 'fd00::11', port: 8000 });
  assert.equal(vi2!.localAddress, undefined, 'status_listen is IPv4, the peer IPv6: let the kernel choose');
  assert.equal(vi2!.action.kind, 'script');
  assert.deepEqual(vi2!.action.kind === 'script' && vi2!.action.command.argv, ['/usr/local/bin/fence', '--hard']);
  assert.deepEqual(statusListeners(r.config), [{ host: '10.0.0.10', port: 7474 }], 'one listener for the same address');
});

test('status -v lines', () => {
  const base = { priority: 100, effectivePriority: 100, vrid: 50, interface: 'eth0', drops: {} };
  const rows: InstanceStatusWithSplitBrain[] = [
    { ...base, name: 'VI_1', state: 'FAULT', splitBrain: { phase: 'yielded', since: '2026-01-01T00:00:00.000Z', evidence: 'ARP probe: x', action: 'yield', peer: '10.0.0.11:7474' } },
    { ...base, name: 'VI_2', state: 'MASTER', splitBrain: { phase: 'none', action: 'alert' } },
    { ...base, name: 'VI_3', state: 'BACKUP' },
    { ...base, name: 'VI_4', state: 'MASTER', splitBrain: { phase: 'none', action: 'yield', peer: '10.0.0.11:7474', channel: 'unauthenticated: bad signature' } },
  ];
  assert.equal(
    formatSplitBrainLines(rows),
    'VI_1: split brain YIELDED (since 2026-01-01T00:00:00.000Z; evidence: ARP probe: x; action yield; peer 10.0.0.11:7474)\nVI_2: split brain none (action alert)\n' +
      'VI_4: split brain none (action yield; peer 10.0.0.11:7474; status channel unauthenticated: bad signature)\n',
  );
  assert.equal(formatSplitBrainLines([rows[2]!]), '');
});
