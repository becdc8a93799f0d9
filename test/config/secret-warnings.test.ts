// W-SECRET-READABLE (a secret in a file every local user can read) and
// W-SMTPAUTH-CLEARTEXT (SMTP AUTH without TLS to another host), for ldirectord.cf and
// vrrp.cf: the pure rules, both parsers, and both programs' configtest and start on
// real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directiveLines, readableSecretWarning } from '../../src/config/secret-file.js';
import type { Diagnostic } from '../../src/config/model.js';
import { parseVrrpConfig } from '../../src/vrrp-config/parse.js';
import { parse } from './helpers.js';

const V = 'virtual=192.0.2.1:80\n\treal=192.0.2.2:80 gate\n';
const HALDIR = new URL('../../src/cli/haldir.js', import.meta.url).pathname;
const VRRP = new URL('../../src/cli/haldir-vrrp.js', import.meta.url).pathname;
const codes = (ds: readonly Diagnostic[]) => ds.filter((d) => d.code === 'W-SECRET-READABLE' || d.code === 'W-SMTPAUTH-CLEARTEXT').map((d) => `${d.code}@${d.line}`);

test('directiveLines: the first non-empty setting of each directive, comments and empty values aside', () => {
  const text = '# passwd="commented"\nlogin="u"\npasswd=""\n\tpasswd="p1"\n\tsecret = "s"\n\tpasswd="p2"\n; auth_pass = x\nauth_pass = 1234\n';
  assert.deepEqual(directiveLines(text, ['passwd', 'secret', 'auth_pass']), [
    { directive: 'passwd', line: 4 },
    { directive: 'secret', line: 5 },
    { directive: 'auth_pass', line: 8 },
  ]);
});

test('readableSecretWarning: only when others may read, naming each secret and the fix', () => {
  const secrets = [{ directive: 'passwd', line: 7 }, { directive: 'smtppasswd', line: 2 }];
  const w = readableSecretWarning('/etc/ha.d/ldirectord.cf', 0o100644, secrets);
  assert.equal(w?.code, 'W-SECRET-READABLE');
  assert.equal(w?.severity, 'warning');
  assert.equal(w?.line, 7);
  assert.match(w?.message ?? '', /\(passwd at line 7, smtppasswd at line 2\).*mode 0644.*run: chmod 600 \/etc\/ha\.d\/ldirectord\.cf/);
  assert.equal(readableSecretWarning('/f', 0o100604, secrets)?.code, 'W-SECRET-READABLE');
  for (const mode of [0o100600, 0o100640, 0o100660, 0o100400]) assert.equal(readableSecretWarning('/f', mode, secrets), undefined, mode.toString(8));
  assert.equal(readableSecretWarning('/f', 0o100644, []), undefined, 'no secret, nothing to protect');
});

test('ldirectord.cf: passwd, secret and smtppasswd in a readable file; AUTH in clear text only to another host', () => {
  const readable = { fileModes: { 'test.cf': 0o100644 } };
  const closed = { fileModes: { 'test.cf': 0o100600 } };
  const imap = `${V}\tservice=imap\n\tlogin="u"\n\tpasswd="p"\n`;
  assert.deepEqual(codes(parse(imap, readable).diagnostics), ['W-SECRET-READABLE@5']);
  assert.deepEqual(codes(parse(imap, closed).diagnostics), []);
  assert.deepEqual(codes(parse(imap).diagnostics), [], 'mode unknown (text not from a file)');
  assert.deepEqual(codes(parse(`${V}\tservice=radius\n\tsecret="s"\n`, readable).diagnostics), ['W-SECRET-READABLE@4']);
  assert.deepEqual(codes(parse(`smtppasswd="x"\n${V}`, readable).diagnostics), ['W-SECRET-READABLE@1']);
  assert.deepEqual(codes(parse(V, readable).diagnostics), [], 'no secret');
  // a config with errors is still checked (configtest lists everything at once)
  assert.ok(parse(`autoreload=maybe\npasswd="p"\n${V}`, readable).diagnostics.some((d) => d.code === 'W-SECRET-READABLE'));

  const auth = (smtp: string, tls = '') => parse(`${smtp}smtpuser="alerts"\nsmtppasswd="p"\n${tls}${V}`, closed).diagnostics;
  assert.deepEqual(codes(auth('smtp=192.0.2.25:25\n')), ['W-SMTPAUTH-CLEARTEXT@2']);
  assert.deepEqual(codes(auth('smtp=192.0.2.25:587\n', 'smtptls=starttls\n')), []);
  assert.deepEqual(codes(auth('smtp=127.0.0.1:25\n')), [], 'a loopback relay: nothing crosses the network');
  assert.deepEqual(codes(auth('smtp=localhost\n')), []);
  assert.deepEqual(codes(auth('')), [], 'no smtp: the local sendmail, no AUTH');
  // a per-virtual relay on another host gets the same credentials
  const perVirtual = parse(`smtp=127.0.0.1\nsmtpuser="alerts"\nsmtppasswd="p"\n${V}\tsmtp=192.0.2.26\n`, closed).diagnostics;
  assert.deepEqual(codes(perVirtual), ['W-SMTPAUTH-CLEARTEXT@2']);
  assert.match(perVirtual.find((d) => d.code === 'W-SMTPAUTH-CLEARTEXT')!.message, /192\.0\.2\.26:25/);
});

test('vrrp.cf: auth_pass and smtppasswd in a readable file; AUTH in clear text only to another host', () => {
  const inst = '[vrrp_instance VI_1]\ninterface = eth0\nvirtual_router_id = 50\nvirtual_ipaddress[] = 10.0.0.1\n';
  const withAuth = `${inst}auth_type = PASS\nauth_pass = 1234\n`;
  const p = (text: string, fileMode?: number) => parseVrrpConfig(text, 'vrrp.cf', { hostname: 'h', fileMode }).diagnostics;
  assert.deepEqual(codes(p(withAuth, 0o100644)), ['W-SECRET-READABLE@6']);
  assert.deepEqual(codes(p(withAuth, 0o100600)), []);
  assert.deepEqual(codes(p(`[global]\nsmtppasswd = "x"\n${inst}`, 0o100644)), ['W-SECRET-READABLE@2']);
  const g = (smtp: string, tls = '') => p(`[global]\n${smtp}smtpuser = alerts\nsmtppasswd = "x"\n${tls}${inst}`, 0o100600);
  assert.deepEqual(codes(g('smtp = 192.0.2.25\n')), ['W-SMTPAUTH-CLEARTEXT@3']);
  assert.deepEqual(codes(g('smtp = 192.0.2.25\n', 'smtptls = tls\n')), []);
  assert.deepEqual(codes(g('smtp = 127.0.0.1:25\n')), []);
  assert.deepEqual(codes(g('')), []);
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
const run = (argv: string[]): Promise<Run> =>
  new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 30000, env: { ...process.env, HALDIR_CONFDIR: '/nonexistent' } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('haldir configtest and start warn about a readable ldirectord.cf holding a password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-secret-'));
  const cf = join(dir, 'site.cf');
  const log = join(dir, 'haldir.log');
  const pidFile = join(dir, 'site.pid');
  writeFileSync(cf, `logfile="${log}"\nvirtual=127.0.0.1:143\n\treal=127.0.0.2:143 gate\n\tchecktype=on\n\tservice=imap\n\tlogin="u"\n\tpasswd="p"\n`);
  try {
    chmodSync(cf, 0o644);
    const ct = await run([process.execPath, HALDIR, 'configtest', cf]);
    assert.equal(ct.code, 0, 'a warning does not make the config invalid');
    assert.match(ct.stderr, new RegExp(`^${cf}:7:1: warning\\[W-SECRET-READABLE\\]: .*passwd at line 7.*mode 0644.*chmod 600`, 'm'));
    assert.match(ct.stdout, /1 warning/);

    const start = await run([process.execPath, HALDIR, '--backend', 'memory', '--pidfile', pidFile, cf, 'start']);
    assert.equal(start.code, 0, start.stderr);
    try {
      assert.match(start.stderr, /^Warning \[\d+\] reading file .*site\.cf at line 7: .*chmod 600.* \[W-SECRET-READABLE\]$/m);
      await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('W-SECRET-READABLE'), 15000, 'the warning in the daemon log');
    } finally {
      assert.equal((await run([process.execPath, HALDIR, '--pidfile', pidFile, cf, 'stop'])).code, 0);
      await waitFor(() => !existsSync(pidFile), 15000, 'the daemon to stop');
    }

    chmodSync(cf, 0o600);
    const quiet = await run([process.execPath, HALDIR, 'configtest', cf]);
    assert.doesNotMatch(quiet.stderr, /W-SECRET-READABLE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('haldir-vrrp configtest and start warn about a readable vrrp.cf holding auth_pass', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-secret-'));
  const cf = join(dir, 'vrrp.cf');
  // An interface that does not exist: start reads the config (and warns), then fails
  // to open its socket, so nothing is ever sent.
  writeFileSync(cf, '[vrrp_instance VI_1]\ninterface = haldirnope0\nvirtual_router_id = 50\nvirtual_ipaddress[] = 10.0.0.1\nauth_type = PASS\nauth_pass = 1234\n');
  try {
    chmodSync(cf, 0o644);
    const ct = await run([process.execPath, VRRP, cf, 'configtest']);
    assert.equal(ct.code, 0, ct.stderr);
    assert.match(ct.stderr, new RegExp(`^${cf}:6:1: warning\\[W-SECRET-READABLE\\]: .*auth_pass at line 6.*chmod 600`, 'm'));
    // as root, inside a namespace of its own (nothing could reach the host's network even by mistake)
    const ns = `hsec${process.pid}`;
    const root = process.getuid?.() === 0;
    if (root) await run(['ip', 'netns', 'add', ns]);
    try {
      const start = await run([...(root ? ['ip', 'netns', 'exec', ns] : []), process.execPath, VRRP, '--pidfile', join(dir, 'v.pid'), cf, 'start']);
      assert.match(start.stderr, /warning\[W-SECRET-READABLE\]/, 'start warns before it detaches');
      assert.notEqual(start.code, 0, 'and then fails on the missing interface');
    } finally {
      if (root) await run(['ip', 'netns', 'del', ns]);
    }
    chmodSync(cf, 0o600);
    assert.doesNotMatch((await run([process.execPath, VRRP, cf, 'configtest'])).stderr, /W-SECRET-READABLE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
