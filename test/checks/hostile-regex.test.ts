// A receive regex against a hostile body must never freeze the daemon. `status.*ok`
// against one 1 MB line of "status status ..." backtracks for minutes in V8 (Perl: 19
// ms); before the fix that match ran on the event loop, so the other reals' checks,
// `status -v` and the table all stalled with it. Runs the real daemon (stand-in ipvsadm)
// against real HTTP servers on loopback.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { compileReceive, MAX_MATCH_CHARS } from '../../src/checks/receive.js';
import { inlineAllowed, regexCost } from '../../src/checks/regex-cost.js';
import { RegexPool } from '../../src/checks/regex-pool.js';
import { HttpReal, freePortOn, waitUntil } from '../helpers/http-reals.js';
import { startDaemon } from './daemon-harness.js';
import { listen } from './fixtures.js';

const BOMB = 'status '.repeat(149_000); // one 1,043,000-byte line (inside the 1 MiB body cap), no "ok" anywhere

describe('receive regex cost', () => {
  it('runs literal-ish patterns inline at any size, a.*b only on short texts, the rest in the worker', () => {
    const cost = (perl: string) => regexCost(compileReceive(perl)!.regex.source);
    for (const p of ['OK', '^OK$', '200 OK|ALIVE', '(?i)status: ok', 'v[0-9]\\.[0-9]', 'colou?r']) assert.equal(cost(p), 'linear', p);
    for (const p of ['status.*ok', 'foo\\d+', 'x{2,}']) assert.equal(cost(p), 'polynomial', p);
    for (const p of ['(a+)+$', 'a.*b.*c', '(\\w)\\1', '(ab)*', '(?:a|a)*b']) assert.equal(cost(p), 'unbounded', p);
    assert.equal(inlineAllowed('polynomial', 1024), true);
    assert.equal(inlineAllowed('polynomial', 1025), false);
    assert.equal(inlineAllowed('linear', MAX_MATCH_CHARS), true);
    assert.equal(inlineAllowed('unbounded', 10), false);
  });

  it('answers a match on the bomb with timeout within its budget, and keeps the event loop free meanwhile', async () => {
    const pool = new RegexPool({ budgetMs: 300 });
    try {
      let maxGap = 0;
      let last = performance.now();
      const tick = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 5);
      const re = compileReceive('status.*ok')!.regex;
      const t0 = performance.now();
      const first = await pool.test(re, BOMB);
      const took = performance.now() - t0;
      // the same hostile answer again: remembered, no second budget spent
      const t1 = performance.now();
      const again = await pool.test(re, BOMB);
      const tookAgain = performance.now() - t1;
      // honest work on the worker path still answers, from a fresh worker
      const fine = await pool.test(re, `${'x'.repeat(5000)}\nstatus: ok\n`);
      clearInterval(tick);
      assert.equal(first, 'timeout');
      assert.equal(again, 'timeout');
      assert.equal(fine, 'match');
      assert.ok(took < 20_000, `first answer after ${Math.round(took)} ms`);
      assert.ok(tookAgain < took, `remembered answer took ${Math.round(tookAgain)} ms, first ${Math.round(took)} ms`);
      // a loaded 2-core box can hold the loop for a while (hashing 1 MB, GC); a frozen one holds it for minutes
      assert.ok(maxGap < 5_000, `event loop held for ${Math.round(maxGap)} ms`);
      assert.equal(pool.workersStarted, 2, 'one worker killed at the deadline, one fresh');
    } finally {
      await pool.close();
    }
  });
});

describe('daemon with a regex bomb among its reals', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('keeps checking the healthy reals, answers status -v, and takes the hostile real down saying why', async () => {
    const o2 = 40 + Math.floor(Math.random() * 150);
    const o3 = Math.floor(Math.random() * 250);
    const hosts = Array.from({ length: 21 }, (_, i) => `127.${o2}.${o3}.${i + 1}`);
    const port = await freePortOn(hosts);
    const healthy = hosts.slice(0, 20).map((h) => new HttpReal(h, port, 'status: ok\n'));
    for (const r of healthy) cleanups.push(() => r.stop());
    await Promise.all(healthy.map((r) => r.start()));
    const hostileHost = hosts[20]!;
    const hostile = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(BOMB.length), connection: 'close' });
        res.end(BOMB);
      }),
      hostileHost,
      port,
    );
    cleanups.push(() => hostile.close());
    const d = await startDaemon((log) => [
      'checktimeout=3',
      'negotiatetimeout=3',
      'checkinterval=1',
      `logfile="${log}"`,
      '',
      `virtual=10.${o2}.${o3}.1:80`,
      ...hosts.map((h) => `\treal=${h}:${port} masq`),
      '\tservice=http',
      '\treceive="status.*ok"',
      '\tscheduler=wlc',
    ]);
    cleanups.push(() => d.stop());
    const key = (h: string) => `${h}:${port}`;
    // before the fix: 4 of 20 after 15 s, the rest only as each minutes-long match ended
    await waitUntil(async () => {
      const t = await d.reals();
      return healthy.every((r) => t.has(key(r.host)));
    }, 30_000, 'all 20 healthy reals in the table');
    await waitUntil(() => d.logText().includes(`receive regex did not finish within`), 30_000, 'the log line naming the regex timeout');
    assert.match(d.logText(), new RegExp(`receive regex did not finish within \\d+ ms on \\d+ characters of the answer; simplify receive="status\\.\\*ok".*: real server ${hostileHost.replace(/\./g, '\\.')}:${port}`));
    assert.equal((await d.reals()).has(key(hostileHost)), false, 'the hostile real never enters the table');
    // the daemon answers its control socket while the bomb keeps being served
    for (let i = 0; i < 3; i++) {
      const st = await d.cli(['status', '-v'], 15_000);
      assert.equal(st.code, 0, `status -v: ${st.stderr}`);
      // never up: not in the table (weight -), health down or unknown (never seen up)
      assert.match(st.stdout, new RegExp(`-> ${hostileHost.replace(/\./g, '\\.')}:${port}\\s+\\S+\\s+-\\s+(down|unknown)\\s.*receive regex`));
    }
    // and notices a healthy real going bad
    healthy[7]!.setResponse(503, 'maintenance\n');
    await waitUntil(async () => !(await d.reals()).has(key(healthy[7]!.host)), 20_000, 'the real answering 503 to leave the table');
    assert.equal((await d.reals()).size, 19);
  });
});
