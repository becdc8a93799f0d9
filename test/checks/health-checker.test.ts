// The daemon-facing facade: start seeding, transitions out, reload keeps health.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthChecker } from '../../src/checks/health-checker.js';
import type { ProbeOutcome } from '../../src/checks/run-check.js';
import type { Transition } from '../../src/checks/tracker.js';
import type { Config, GlobalConfig, VirtualService } from '../../src/config/model.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { makeReal, makeVirtual } from './fixtures.js';

const global: GlobalConfig = {
  autoreload: false, callback: undefined, checkcount: 1, checkinterval: 1, checktimeout: undefined,
  negotiatetimeout: undefined, cleanstop: true, emailalert: [], emailalertfreq: 0,
  emailalertstatus: ['starting', 'running', 'stopping', 'reloading'], emailalertfrom: undefined, execute: [],
  failurecount: 1, fallback: undefined, fallback6: undefined, fallbackcommand: undefined, fork: false,
  logfile: 'local0', maintenancedir: undefined, quiescent: false, readdquiescent: false, smtp: undefined,
  supervised: false, smtpuser: undefined, smtppasswd: undefined, smtptls: 'none',
};
const config = (virtuals: VirtualService[]): Config => ({ file: 'test.cf', global, virtuals });
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('HealthChecker', () => {
  it('seeds table reals up, reports transitions, and keeps health across a reload', async () => {
    const clock = new ManualClock();
    const transitions: Transition[] = [];
    let failing = new Set<string>(['127.0.0.2']);
    let aIdStr = '';
    // get_real_id_str: ...:WEIGHT:FORWARD:REQUEST:RECEIVE (the check label may hold colons)
    const weightOf = (idStr: string): string | undefined => /:(\d+):(?:gate|masq|ipip):[^:]*:[^:]*$/.exec(idStr)?.[1];
    const a = makeReal({ address: '127.0.0.1' });
    const b = makeReal({ address: '127.0.0.2' });
    const hc = new HealthChecker(config([makeVirtual({ checkinterval: 1, reals: [a, b] })]), {
      clock,
      logger: new MemoryLogger(),
      onTransition: (t) => transitions.push(t),
      // the id string of a's latest check (ldirectord's get_real_id_str, which holds the weight)
      onProbe: (job) => {
        for (const sub of job.subscribers) if (sub.server === '127.0.0.1') aIdStr = sub.realIdStr;
      },
      hostname: 'lb1',
      runProbe: async (t): Promise<ProbeOutcome> => {
        const ok = !failing.has(t.ctx.host);
        return { result: { ok, message: ok ? '200 OK' : '503', durationMs: 0 }, monitorMessage: undefined };
      },
    });
    hc.seedUp('tcp:10.0.0.1:80', '127.0.0.1', 80); // in the IPVS table at start
    hc.seedUp('tcp:10.0.0.1:80', '127.0.0.2', 80);
    hc.start();
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      await flush();
    }
    // a was up already: no transition; b was seeded up and fails: down
    assert.deepEqual(transitions.map((t) => `${t.real}:${t.state}`), ['127.0.0.2:80:down']);
    assert.equal(weightOf(aIdStr), String(a.weight), `a checked with its configured weight (${aIdStr})`);
    // reload: a's weight changes (health kept), a new real c appears
    transitions.length = 0;
    failing = new Set();
    const c = makeReal({ address: '127.0.0.3' });
    hc.reload(config([makeVirtual({ checkinterval: 1, reals: [{ ...a, weight: 9 }, b, c] })]));
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      await flush();
    }
    hc.stop();
    // a kept its health (no transition) and is now checked as the weight-9 real
    assert.deepEqual(transitions.map((t) => `${t.real}:${t.state}`).sort(), ['127.0.0.2:80:up', '127.0.0.3:80:up']);
    assert.notEqual(a.weight, 9);
    assert.equal(weightOf(aIdStr), '9', `a's weight after the reload (${aIdStr})`);
    assert.equal(clock.pendingCount, 0);
  });
});
