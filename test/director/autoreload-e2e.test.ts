// Autoreload on the built binary, with real file writes and inotify: a truncated file
// is held back (table kept, mailed, autoreload stays on), a file written in two
// write()s is applied once whole, a rename into place applies at once, rm + recreate
// and a directory moved away and back keep working. The stand-in ipvsadm keeps the
// "kernel" table and logs every call; alerts go to a real SMTP server on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseList } from '../../src/ipvs/ipvsadm-text.js';
import { waitUntil } from '../helpers/http-reals.js';
import { startSmtp } from '../alerts/helpers/smtp.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/src/cli/haldir.js');
const standin = join(root, 'test/fixtures/bin/ipvsadm');
/** Long, so that a 400 ms gap between two writes is far inside it even on a loaded machine. */
const SETTLE_MS = 8000;

test('autoreload: truncation held back, two-part write applied once, rename at once, rm + recreate and a moved directory still work', { timeout: 240_000 }, async () => {
  const top = mkdtempSync(join(tmpdir(), 'haldir-autoreload-'));
  const dir = join(top, 'etc');
  mkdirSync(dir);
  const cfg = join(dir, 'ldirectord.cf');
  const log = join(top, 'haldir.log');
  const pid = join(top, 'haldir.pid');
  const calls = join(top, 'ipvsadm.log');
  const smtp = await startSmtp();
  const env = {
    ...process.env,
    IPVSADM_STATE: join(top, 'state.json'),
    IPVSADM_LOG: calls,
    HALDIR_CONFDIR: join(top, 'none'),
    HALDIR_AUTORELOAD_SETTLE_MS: String(SETTLE_MS),
  };
  const text = (w: number) =>
    [
      'checkinterval=1',
      'autoreload=yes',
      `logfile="${log}"`,
      'emailalert="ops@example.com"',
      `smtp=127.0.0.1:${smtp.port}`,
      'virtual=10.203.0.1:80',
      `\treal=127.0.43.1:80 masq ${w}`,
      '\treal=127.0.43.2:80 masq',
      '\tchecktype=on',
      'virtual=10.203.0.2:80',
      '\treal=127.0.43.3:80 masq',
      '\tchecktype=on',
      '',
    ].join('\n');
  const haldir = (...args: string[]) => spawnSync(process.execPath, [cli, '--ipvsadm', standin, '--pidfile', pid, ...args], { env, encoding: 'utf8', timeout: 30000 });
  const table = () => {
    const r = spawnSync(standin, ['-L', '-n'], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return parseList(r.stdout);
  };
  const weight1 = () => table().services.find((s) => s.key.address === '10.203.0.1')?.destinations.find((d) => d.address === '127.0.43.1')?.weight;
  const shape = () => table().services.map((s) => `${s.key.address}/${s.destinations.length}`).sort().join(' ');
  const logText = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const callCount = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean).length : 0);
  const callsSince = (n: number) => readFileSync(calls, 'utf8').split('\n').filter(Boolean).slice(n).map((l) => JSON.parse(l) as { argv: string[]; stdin?: string });
  try {
    writeFileSync(cfg, text(1));
    const started = haldir(cfg, 'start');
    assert.equal(started.status, 0, started.stderr);
    await waitUntil(() => shape() === '10.203.0.1/2 10.203.0.2/1', 20000, 'both virtual services in the table');

    // `: > ldirectord.cf`: settles, then is held back; nothing is removed
    writeFileSync(cfg, '');
    await waitUntil(() => logText().includes('[E-AUTORELOAD-EMPTY]'), SETTLE_MS + 20000, 'the empty file held back');
    assert.match(logText(), /has no virtual services; autoreload did not apply it, as it would remove all 2 running virtual services/);
    assert.equal(shape(), '10.203.0.1/2 10.203.0.2/1', 'the table keeps every virtual service');
    await waitUntil(() => smtp.mails.some((m) => m.subject.includes('not applied (no virtual services)')), 15000, 'the held-back mail');
    // the content written back (2 s later, changed) is applied: autoreload is still on
    await new Promise((r) => setTimeout(r, 2000));
    writeFileSync(cfg, text(2));
    await waitUntil(() => weight1() === 2, SETTLE_MS + 20000, 'the rewritten file applied by autoreload');
    assert.ok(!/Purged virtual server|Reloaded configuration: removed/.test(logText()), logText());

    // a file written in two write()s 400 ms apart: the first half (only the first virtual) is never applied
    const before = callCount();
    const full = text(3);
    const cut = full.indexOf('virtual=10.203.0.2:80');
    const fd = openSync(cfg, 'w');
    try {
      writeSync(fd, full.slice(0, cut));
      await new Promise((r) => setTimeout(r, 400));
      writeSync(fd, full.slice(cut));
    } finally {
      closeSync(fd);
    }
    await waitUntil(() => weight1() === 3, SETTLE_MS + 20000, 'the whole file applied');
    assert.match(logText(), new RegExp(`Configuration file '${cfg.replace(/[.]/g, '\\.')}' is being written; reading it once unchanged for ${SETTLE_MS} ms`));
    const writes = callsSince(before).filter((c) => c.argv.includes('-R') || /^-[DdAaEe]/.test(c.argv[0] ?? ''));
    const script = writes.map((c) => c.stdin ?? c.argv.join(' ')).join('');
    assert.ok(!/-D -t 10\.203\.0\.2:80/.test(script), `the second virtual was deleted by a half-written file:\n${script}`);
    assert.equal(shape(), '10.203.0.1/2 10.203.0.2/1');

    // a rename into place applies at once (long before the settle period)
    writeFileSync(join(dir, '.ldirectord.cf.tmp'), text(4));
    renameSync(join(dir, '.ldirectord.cf.tmp'), cfg);
    await waitUntil(() => weight1() === 4, SETTLE_MS - 1000, 'the renamed file applied at once');

    // rm and recreate
    unlinkSync(cfg);
    writeFileSync(cfg, text(5));
    await waitUntil(() => weight1() === 5, SETTLE_MS + 20000, 'the recreated file applied');

    // the directory moved away and back, then an edit
    renameSync(dir, `${dir}.moved`);
    renameSync(`${dir}.moved`, dir);
    writeFileSync(join(dir, '.ldirectord.cf.tmp'), text(6));
    renameSync(join(dir, '.ldirectord.cf.tmp'), cfg);
    await waitUntil(() => weight1() === 6, SETTLE_MS + 20000, 'an edit after the directory moved back');

    // exactly one held-back mail for one truncation
    assert.equal(smtp.mails.filter((m) => m.subject.includes('not applied (no virtual services)')).length, 1);
    assert.equal(haldir(cfg, 'stop').status, 0);
    await waitUntil(() => !existsSync(pid), 15000, 'stopped');
  } finally {
    if (existsSync(pid)) {
      try {
        process.kill(Number(readFileSync(pid, 'utf8').trim()), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await smtp.close();
    rmSync(top, { recursive: true, force: true });
  }
});
