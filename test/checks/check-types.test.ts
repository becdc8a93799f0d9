// connect, simpletcp, external, external-perl, ping, none, on/combined dispatch --
// against real loopback servers, scripts and /bin/ping.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkConnect } from '../../src/checks/connect.js';
import { checkExternal } from '../../src/checks/external.js';
import { checkPing } from '../../src/checks/ping.js';
import { initialProbeState, nextProbeState, phaseOf, runProbe } from '../../src/checks/run-check.js';
import { check as simpletcp, simpletcpPayload } from '../../src/checks/services/simpletcp.js';
import { check as none } from '../../src/checks/services/none.js';
import { buildTarget } from '../../src/checks/target.js';
import type { RealServer, VirtualService } from '../../src/config/model.js';
import { closedPort, makeReal, makeVirtual, startHttp, startSilent, startTcp, type Served } from './fixtures.js';

const sig = (ms = 2000): AbortSignal => AbortSignal.timeout(ms);

function target(v: Partial<VirtualService>, r: Partial<RealServer>) {
  const real = makeReal(r);
  return buildTarget(makeVirtual({ ...v, reals: [real] }), real, 'testhost');
}

describe('connect', () => {
  it('is up when the port accepts, down when refused, down at the timeout when silent-dropped', async () => {
    const srv = await startSilent();
    try {
      assert.equal((await checkConnect('127.0.0.1', srv.port, sig())).ok, true);
      const port = await closedPort();
      const refused = await checkConnect('127.0.0.1', port, sig());
      assert.equal(refused.ok, false);
      assert.match(refused.message, /ECONNREFUSED/);
      assert.equal((await checkConnect('::1', (await startSilent('::1').then(async (s) => { await s.close(); return s; })).port, sig())).ok, false);
    } finally {
      await srv.close();
    }
  });

  it('works on ::1', async () => {
    const srv = await startSilent('::1');
    try {
      assert.equal((await checkConnect('::1', srv.port, sig())).ok, true);
    } finally {
      await srv.close();
    }
  });

  it('connects to checkport (via runProbe), not the real port', async () => {
    const srv = await startSilent();
    try {
      const t = target({ check: { kind: 'connect' }, checkport: srv.port }, { port: 1 });
      const o = await runProbe(t, phaseOf(t, initialProbeState()), sig());
      assert.equal(o.result.ok, true, o.result.message);
      assert.equal(o.monitorMessage, '-');
    } finally {
      await srv.close();
    }
  });
});

describe('simpletcp', () => {
  let srv: Served;
  const got: string[] = [];
  before(async () => {
    srv = await startTcp((s) => {
      let buf = '';
      s.setEncoding('latin1');
      s.on('data', (d: string) => (buf += d));
      s.on('end', () => {
        got.push(buf);
        if (buf.startsWith('PING')) s.end('+banner\r\n+PONG\r\n');
        else if (buf.startsWith('SLOW')) return; // never answers
        else s.end('-ERR unknown\r\n');
      });
    });
  });
  after(() => srv.close());

  it('strips the leading / and turns literal \\n into newlines', () => {
    assert.equal(simpletcpPayload('/PING\\nQUIT\\n'), 'PING\nQUIT\n');
  });

  it('is up when a response line matches, after half-closing its request', async () => {
    got.length = 0;
    const t = target({ service: 'simpletcp', port: 6379 }, { port: srv.port, request: '/PING\\n', receive: '^\\+PONG' });
    const res = await simpletcp(t.ctx, sig());
    assert.equal(res.ok, true, res.message);
    assert.deepEqual(got, ['PING\n']);
    assert.equal((await runProbe(t, 'negotiate', sig())).monitorMessage, '-');
  });

  it('is down on a wrong answer, a stopped server, and a server that never answers', async () => {
    const wrong = target({ service: 'simpletcp' }, { port: srv.port, request: '/HELLO', receive: 'PONG' });
    assert.equal((await simpletcp(wrong.ctx, sig())).ok, false);
    const port = await closedPort();
    const stopped = target({ service: 'simpletcp' }, { port, request: '/PING', receive: 'PONG' });
    assert.equal((await simpletcp(stopped.ctx, sig())).ok, false);
    const slow = target({ service: 'simpletcp' }, { port: srv.port, request: '/SLOW', receive: 'PONG' });
    const t0 = performance.now();
    const res = await simpletcp(slow.ctx, sig(300));
    assert.equal(res.ok, false);
    assert.ok(performance.now() - t0 < 2000);
  });
});

describe('none / on', () => {
  it('none is always up; on is up without a monitorfile line', async () => {
    const t = target({ service: 'none' }, {});
    assert.equal((await none(t.ctx, sig())).ok, true);
    const on = target({ check: { kind: 'on' } }, {});
    const o = await runProbe(on, phaseOf(on, initialProbeState()), sig());
    assert.equal(o.result.ok, true);
    assert.equal(o.monitorMessage, undefined);
  });
});

describe('combined (checktype=N)', () => {
  it('negotiates first, then N connects, and a failed connect forces a negotiate', () => {
    const t = target({ check: { kind: 'combined', numConnects: 2 } }, {});
    let s = initialProbeState();
    const seq: string[] = [];
    const step = (ok: boolean): void => {
      const p = phaseOf(t, s);
      seq.push(`${p}:${ok ? 'ok' : 'fail'}`);
      s = nextProbeState(s, p, ok);
    };
    step(true); // negotiate
    step(true); // connect 1
    step(true); // connect 2
    step(true); // negotiate
    step(true); // connect
    step(false); // connect fails -> negotiate next
    step(false); // negotiate fails -> negotiate again
    step(true);
    assert.deepEqual(seq, [
      'negotiate:ok', 'connect:ok', 'connect:ok', 'negotiate:ok', 'connect:ok', 'connect:fail', 'negotiate:fail', 'negotiate:ok',
    ]);
  });

  it('runs the http negotiate and the tcp connect against a live server', async () => {
    const srv = await startHttp((_req, res) => res.end('fine'));
    try {
      const t = target({ check: { kind: 'combined', numConnects: 1 } }, { port: srv.port, receive: 'fine' });
      let s = initialProbeState();
      for (const want of ['negotiate', 'connect', 'negotiate']) {
        const p = phaseOf(t, s);
        assert.equal(p, want);
        const o = await runProbe(t, p, sig());
        assert.equal(o.result.ok, true, o.result.message);
        // monitorfile text: check_http logs the status line, check_connect "-"
        assert.equal(o.monitorMessage, p === 'negotiate' ? '200 OK' : '-');
        s = nextProbeState(s, p, o.result.ok);
      }
    } finally {
      await srv.close();
    }
  });
});

describe('external / external-perl', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haldir-ext-'));
    const sh = (name: string, body: string): string => {
      const p = join(dir, name);
      writeFileSync(p, `#!/bin/sh\n${body}\n`);
      chmodSync(p, 0o755);
      return p;
    };
    sh('up.sh', `echo "$@" > "${dir}/args"; exit 0`);
    sh('down.sh', 'exit 1');
    // the child spawns a grandchild that would outlive a TERM to the child alone
    sh('hang.sh', `sleep 30 & echo $! > "${dir}/grandchild"; wait`);
    writeFileSync(join(dir, 'check.pl'), 'my ($v,$vp,$r,$rp)=@ARGV; exit($rp == 8080 ? 0 : 3);\n');
    writeFileSync(join(dir, 'dies.pl'), 'die "broken\\n";\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes VIP VPORT RIP RPORT, and exit 0 is up', async () => {
    const t = target({ check: { kind: 'external', command: join(dir, 'up.sh') }, address: '10.1.2.3', port: 443 }, { address: '127.0.0.9', port: 8443 });
    const o = await runProbe(t, 'external', sig());
    assert.equal(o.result.ok, true, o.result.message);
    assert.equal(readFileSync(join(dir, 'args'), 'utf8').trim(), '10.1.2.3 443 127.0.0.9 8443');
  });

  it('passes FWMARK 0 for fwmark virtuals and bracketed IPv6 addresses', async () => {
    const v = makeVirtual({ check: { kind: 'external', command: join(dir, 'up.sh') }, protocol: 'fwm', fwmark: 7, address: undefined, port: 0, id: 'fwm:7' });
    const real = makeReal({ address: '::1', port: 80 });
    const t = buildTarget({ ...v, reals: [real] }, real, 'h');
    assert.equal((await runProbe(t, 'external', sig())).result.ok, true);
    assert.equal(readFileSync(join(dir, 'args'), 'utf8').trim(), '7 0 [::1] 80');
  });

  it('is down on a non-zero exit and when the command does not exist', async () => {
    assert.equal((await checkExternal('external', join(dir, 'down.sh'), [], sig())).ok, false);
    const missing = await checkExternal('external', join(dir, 'nope.sh'), [], sig());
    assert.equal(missing.ok, false);
    assert.match(missing.message, /exec failed/);
  });

  it('kills the whole process group of a hanging command at the timeout', async () => {
    const t0 = performance.now();
    const res = await checkExternal('external', join(dir, 'hang.sh'), [], sig(500));
    assert.equal(res.ok, false);
    assert.match(res.message, /timed out/);
    assert.ok(performance.now() - t0 < 3000);
    const grandchild = Number(readFileSync(join(dir, 'grandchild'), 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    // gone, or a zombie waiting for a reaper (pid 1 in a container may not reap)
    let state = 'gone';
    try {
      state = readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]!.slice(0, 1);
    } catch {
      /* gone */
    }
    assert.ok(state === 'gone' || state === 'Z', `grandchild sleep must be killed too (state ${state})`);
  });

  it('external-perl runs the file with perl and @ARGV; die is down', async () => {
    assert.equal((await checkExternal('external-perl', join(dir, 'check.pl'), ['10.0.0.1', '80', '127.0.0.1', '8080'], sig())).ok, true);
    assert.equal((await checkExternal('external-perl', join(dir, 'check.pl'), ['10.0.0.1', '80', '127.0.0.1', '9090'], sig())).ok, false);
    assert.equal((await checkExternal('external-perl', join(dir, 'dies.pl'), [], sig())).ok, false);
  });
});

describe('ping', () => {
  it('gets a reply from 127.0.0.1 and ::1', async () => {
    assert.equal((await checkPing('127.0.0.1', 1, 1000, sig(3000))).ok, true);
    assert.equal((await checkPing('::1', 1, 1000, sig(3000))).ok, true);
  });

  it('udp virtuals with checktype=connect are pinged (check_connect is tcp only)', async () => {
    const t = target({ check: { kind: 'connect' }, protocol: 'udp', port: 53, service: 'dns' }, { address: '127.0.0.1', port: 53 });
    assert.equal(phaseOf(t, initialProbeState()), 'ping');
    const o = await runProbe(t, 'ping', sig(3000));
    assert.equal(o.result.ok, true, o.result.message);
  });
});
