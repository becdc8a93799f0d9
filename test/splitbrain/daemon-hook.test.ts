// The split-brain hooks in the VRRP daemon (additive): the observer sees transitions and
// every admitted advert (FAULT included), and holdFault() steps a MASTER down to FAULT
// (priority-0 advert, VIPs removed) and releases it to BACKUP; a reload releases it too.
// Real VrrpDaemon on a ManualClock with in-memory ports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ManualClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { VrrpDaemon } from '../../src/vrrp/daemon.js';
import type { PacketPort, PortSpec } from '../../src/vrrp/daemon.js';
import { decodeAdvert, encodeAdvert, AUTH_NONE } from '../../src/vrrp/codec.js';
import { defaultInstanceParams } from '../../src/vrrp/instance.js';
import type { DaemonConfig } from '../../src/vrrp/from-config.js';

class MemPort extends EventEmitter implements PacketPort {
  readonly sentPriorities: number[] = [];
  constructor(readonly spec: PortSpec) {
    super();
  }
  send(message: Buffer, dst: string, src?: string): Promise<void> {
    const d = decodeAdvert(message, { family: 4, src, dst });
    if (d.ok) this.sentPriorities.push(d.advert.priority);
    return Promise.resolve();
  }
  close(): void {}
}

const advertFrom = (src: string, priority: number) => ({
  family: 4 as const,
  src,
  dst: '224.0.0.18',
  ttl: 255,
  payload: encodeAdvert({ version: 2, vrid: 51, priority, intervalCs: 100, addresses: ['10.0.0.100'], authType: AUTH_NONE, authData: Buffer.alloc(8) }, { family: 4 }),
});

function setup() {
  const clock = new ManualClock();
  const log = new MemoryLogger();
  const ports: MemPort[] = [];
  const vipOps: string[] = [];
  const seen: string[] = [];
  const cfg: DaemonConfig = {
    instances: [
      {
        params: defaultInstanceParams({ name: 'VI_1', vrid: 51, interface: 'eth0', primaryIp: '10.0.0.2', priority: 150, vips: [{ address: '10.0.0.100/24' }] }),
        notify: {},
        smtpAlert: false,
        mcastGroup: '224.0.0.18',
      },
    ],
    scripts: [],
    syncGroups: [],
    routerId: 'lb1',
    emails: [],
  };
  const d = new VrrpDaemon(cfg, {
    clock,
    log,
    openPort: (spec) => {
      const p = new MemPort(spec);
      ports.push(p);
      return p;
    },
    vips: { add: async (v) => void vipOps.push(`add ${v.address}`), remove: async (v) => void vipOps.push(`del ${v.address}`) },
    garp: { announce: async () => undefined },
    observer: {
      transition: (i, from, to) => void seen.push(`${i} ${from}->${to}`),
      advert: (i, src, a) => void seen.push(`${i} advert ${src} ${a.priority}`),
    },
  });
  return { d, clock, ports, vipOps, seen, cfg };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

test('observer taps transitions and adverts; holdFault steps down to FAULT and releases to BACKUP', async () => {
  const { d, clock, ports, vipOps, seen, cfg } = setup();
  d.start();
  clock.advance(4000); // Master_Down_Interval: BACKUP -> MASTER by timeout
  await flush();
  assert.equal(d.machine('VI_1')?.state, 'MASTER');
  assert.deepEqual(seen, ['VI_1 INIT->BACKUP', 'VI_1 BACKUP->MASTER']);
  ports[0]!.emit('packet', advertFrom('10.0.0.3', 100));
  assert.equal(seen.at(-1), 'VI_1 advert 10.0.0.3 100');

  assert.equal(d.holdFault('VI_1', true), true);
  await flush();
  assert.equal(d.machine('VI_1')?.state, 'FAULT');
  assert.equal(seen.at(-1), 'VI_1 MASTER->FAULT');
  assert.ok(ports[0]!.sentPriorities.includes(0), 'resigned with a priority-0 advert');
  assert.equal(vipOps.at(-1), 'del 10.0.0.100/24');
  assert.equal(d.holdFault('VI_1', true), false, 'already held');
  // Held: the timers do not bring it back, adverts are still observed.
  clock.advance(10_000);
  ports[0]!.emit('packet', advertFrom('10.0.0.3', 100));
  assert.equal(d.machine('VI_1')?.state, 'FAULT');
  assert.equal(seen.at(-1), 'VI_1 advert 10.0.0.3 100');

  assert.equal(d.holdFault('VI_1', false), true);
  assert.equal(d.machine('VI_1')?.state, 'BACKUP');
  assert.equal(d.holdFault('VI_1', false), false);
  assert.equal(d.holdFault('nope', true), false);

  // A reload rebuilds the params: a held instance comes back.
  d.holdFault('VI_1', true);
  assert.equal(d.machine('VI_1')?.state, 'FAULT');
  d.reload(cfg);
  assert.equal(d.machine('VI_1')?.state, 'BACKUP');
  await d.shutdown();
});
