// The model against ldirectord's own data structures: a harness loads the subs of the
// installed /usr/sbin/ldirectord (without its main program), runs read_config() and
// ld_setup() on each valid fixture and dumps @VIRTUAL as JSON. Every effective value
// haldir computes (timeouts chain, service by port, logins, checktype, request/receive
// per real, thresholds, per-virtual overrides, fallback) must equal ldirectord's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLdirectordCfText } from '../../src/config/load.js';
import type { Config, VirtualService } from '../../src/config/model.js';
import { fixtureNames, readFixture, readManifest } from './fixture-manifest.js';
import { LDIRECTORD, instantiate } from './ldirectord-oracle.js';

const PERL = '/usr/bin/perl';

/** ldirectord's source up to its command-line handling, then its functions, then a dumper. */
function harness(): string | undefined {
  if (!existsSync(LDIRECTORD) || !existsSync(PERL)) return undefined;
  const lines = readFileSync(LDIRECTORD, 'latin1').split('\n');
  const opts = lines.findIndex((l) => l.startsWith('# command line options'));
  const funcs = lines.findIndex((l) => l.startsWith('# functions'));
  if (opts < 0 || funcs < 0) return undefined;
  const dumper = `
package main;
use JSON::PP;
$opt_d = 1;
$HOSTNAME = 'haldir-test';
$CONFIG = $ARGV[0];
$DAEMON_STATUS = $DAEMON_STATUS_STARTING;
read_config();
ld_setup();
my @out;
for my $v (@VIRTUAL) {
  my %c = map { $_ => $v->{$_} } grep { $_ ne 'real' } keys %$v;
  $c{real} = [ map { my $r = $_; +{ map { $_ => $r->{$_} } keys %$r } } @{$v->{real}} ];
  push @out, \\%c;
}
print JSON::PP->new->canonical->encode({ virtual => \\@out, checkinterval => $CHECKINTERVAL, quiescent => $QUIESCENT, fork => $FORKING, cleanstop => $CLEANSTOP, emailalert => $EMAILALERT, emailalertfreq => $EMAILALERTFREQ, emailalertstatus => $EMAILALERTSTATUS, fallbackcommand => $FALLBACKCOMMAND, smtp => $SMTP, fallback => $FALLBACK, fallback6 => $FALLBACK6 }), "\\n";
exit 0;
`;
  return [...lines.slice(0, opts), ...lines.slice(funcs), dumper].join('\n').replace(/^__END__$/m, '');
}

type Ld = Record<string, unknown> & { real: Record<string, unknown>[] };
interface LdDump {
  virtual: Ld[];
  checkinterval: number;
  quiescent: string;
  fork: string;
  cleanstop: string;
  emailalert: string;
  emailalertfreq: number;
  emailalertstatus: number;
  fallbackcommand: string | null;
  smtp: string | null;
  fallback: Record<string, Record<string, unknown>> | null;
  fallback6: Record<string, Record<string, unknown>> | null;
}

/** fallback_find (L4340) over the dump; fwmark virtuals with only a global fallback are
 * ldirectord's `-r :0` bug (README, "Differences from ldirectord") and are left out. */
function ldFallback(d: LdDump, v: Ld): string | undefined {
  const own = v['fallback'] as Record<string, unknown> | undefined;
  let fb: Record<string, unknown> | undefined = own;
  let port: unknown = own?.['port'];
  if (!fb) {
    const g = v['addressfamily'] === 2 ? d.fallback : d.fallback6;
    if (!g || v['protocol'] === 'fwm') return undefined;
    fb = g[String(v['protocol'])];
    port = fb?.['port'] ?? v['port'];
  }
  if (!fb) return undefined;
  const p = v['protocol'] === 'fwm' && Number(port) === 0 ? '-' : String(Number(port));
  return `${String(fb['server']).replace(/^\[(.*)\]$/, '$1')}:${p}/${String(fb['forward'])}`;
}

function haldirFallback(c: Config, v: VirtualService): string | undefined {
  if (!v.fallback) return undefined;
  const ownOrPorted = v.protocol !== 'fwm' || v.fallback.source.line !== c.global.fallback?.source.line || v.fallback.port !== undefined;
  if (v.protocol === 'fwm' && !ownOrPorted) return undefined;
  return `${v.fallback.address}:${v.fallback.port ?? '-'}/${v.fallback.forward}`;
}

function runHarness(script: string, cf: string): Promise<LdDump> {
  return new Promise((resolve, reject) => {
    execFile(PERL, [script, cf], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOSTNAME: 'haldir-test' }, timeout: 30000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cf}: ${stderr}`));
      else resolve(JSON.parse(stdout) as LdDump);
    });
  });
}

const STATUS_BITS: [string, number][] = [['starting', 1], ['running', 2], ['stopping', 4], ['reloading', 8]];
const bits = (list: readonly string[]): number => STATUS_BITS.filter(([s]) => list.includes(s)).reduce((n, [, b]) => n | b, 0);
const str = (x: unknown): string | undefined => (x === undefined || x === null ? undefined : String(x));
const recipients = (s: string): string[] => s.split(/[,\s]+/).filter((x) => x !== '');

/** The fields both sides define, as comparable strings. */
function fromHaldir(c: Config, v: VirtualService): Record<string, unknown> {
  const kind = v.check.kind;
  const schema = v.service === 'http_proxy' ? 'http' : v.service;
  return {
    protocol: v.protocol,
    service: v.service,
    scheduler: v.scheduler,
    checktype: kind,
    num_connects: kind === 'combined' && v.check.kind === 'combined' ? String(v.check.numConnects) : undefined,
    checkcommand: v.check.kind === 'external' || v.check.kind === 'external-perl' ? v.check.command : undefined,
    checktimeout: String(v.checktimeout),
    negotiatetimeout: String(v.negotiatetimeout),
    checkcount: String(v.checkcount),
    failurecount: String(v.failurecount),
    request: v.request,
    receive: v.receive,
    login: v.login,
    passwd: v.passwd,
    database: v.database,
    secret: v.secret,
    httpmethod: v.httpmethod,
    virtualhost: v.virtualhost,
    checkport: str(v.checkport),
    persistent: str(v.persistent),
    netmask: v.netmask,
    schedflags: v.schedflags,
    quiescent: v.quiescent,
    cleanstop: v.cleanstop,
    emailalert: v.emailalert,
    emailalertfreq: String(v.emailalertfreq),
    emailalertstatus: String(bits(v.emailalertstatus)),
    checkinterval: String(v.checkinterval),
    smtp: v.smtp?.host,
    servicename: v.servicename,
    comment: v.comment,
    monitorfile: v.monitorfile,
    fallbackcommand: v.fallbackcommand,
    port: String(v.port),
    fallback: haldirFallback(c, v),
    reals: v.reals.map((r) => ({
      server: v.family === 'inet6' ? `[${r.address}]` : r.address,
      port: String(r.port),
      forward: r.forward,
      weight: String(r.weight),
      lower: String(r.lowerThreshold),
      upper: String(r.upperThreshold),
      receive: r.receive,
      // http checks fetch $$r{url}; the other checks read $$r{request}
      ...(schema === 'http' || schema === 'https'
        ? { url: v.service === 'http_proxy' && !r.ownRequest ? r.request.replace(/^\//, '') : /^https?:\/\//.test(r.request.replace(/^\//, '')) ? r.request.replace(/^\//, '') : `${schema}://${v.family === 'inet6' ? `[${r.address}]` : r.address}:${r.checkPort}/${r.request.replace(/^\/+/, '')}` }
        : { request: r.request }),
    })),
    _global: String(c.global.checkinterval),
  };
}

/** ldirectord keeps both entries of a duplicated address:port, but its table (and so
 * haldir's model) holds only the last one (see semantics.test.ts). */
function lastWins(reals: Record<string, unknown>[]): Record<string, unknown>[] {
  const key = (r: Record<string, unknown>): string => `${String(r['server'])}:${Number(r['port'])}`;
  return reals.filter((r, i) => !reals.slice(i + 1).some((later) => key(later) === key(r)));
}

function fromLdirectord(d: LdDump, v: Ld): Record<string, unknown> {
  const schema = v['service'] === 'http_proxy' ? 'http' : v['service'];
  const q = v['quiescent'] ?? d.quiescent;
  const cs = v['cleanstop'] ?? d.cleanstop;
  const fork = d.fork === 'yes';
  return {
    protocol: v['protocol'],
    service: v['service'],
    scheduler: v['scheduler'],
    checktype: v['checktype'],
    num_connects: v['checktype'] === 'combined' ? str(v['num_connects']) : undefined,
    checkcommand: v['checktype'] === 'external' || v['checktype'] === 'external-perl' ? v['checkcommand'] : undefined,
    checktimeout: str(Number(v['checktimeout'])),
    negotiatetimeout: str(Number(v['negotiatetimeout'])),
    checkcount: str(Number(v['checkcount'])),
    failurecount: str(Number(v['failurecount'])),
    request: v['request'],
    receive: v['receive'],
    login: v['login'],
    passwd: v['passwd'],
    database: v['database'],
    secret: v['secret'],
    httpmethod: v['httpmethod'],
    virtualhost: str(v['virtualhost']),
    checkport: str(v['checkport'] === undefined ? undefined : Number(v['checkport'])),
    persistent: str(v['persistent'] === undefined ? undefined : Number(v['persistent'])),
    netmask: str(v['netmask']),
    schedflags: str(v['schedflags']),
    quiescent: q === 'yes',
    cleanstop: cs === 'yes',
    emailalert: recipients(String(v['emailalert'] ?? d.emailalert)),
    emailalertfreq: String(Number(v['emailalertfreq'] ?? d.emailalertfreq)),
    emailalertstatus: String(v['emailalertstatus'] ?? d.emailalertstatus),
    checkinterval: String(fork && Number(v['checkinterval'] ?? 0) ? Number(v['checkinterval']) : Number(d.checkinterval)),
    smtp: str(v['smtp'] ?? d.smtp),
    servicename: str(v['servicename']),
    comment: str(v['comment']),
    monitorfile: str(v['monitorfile']),
    fallbackcommand: str(v['fallbackcommand'] ?? d.fallbackcommand)?.replace(/^"(.*)"$/, '$1'),
    port: String(Number(v['port'])),
    fallback: ldFallback(d, v),
    reals: lastWins(v.real).map((r) => ({
      server: r['server'],
      port: String(Number(r['port'])),
      forward: r['forward'],
      weight: String(Number(r['weight'])),
      lower: String(Number(r['l-threshold'] ?? 0)),
      upper: String(Number(r['u-threshold'] ?? 0)),
      receive: r['receive'],
      ...(schema === 'http' || schema === 'https' ? { url: r['url'] } : { request: r['request'] }),
    })),
    _global: String(Number(d.checkinterval)),
  };
}

test('valid fixtures: every effective value of the model equals ldirectord\'s read_config + ld_setup', { skip: harness() === undefined ? 'ldirectord or perl not installed' : false, timeout: 240000 }, async () => {
  const script = harness()!;
  const dir = mkdtempSync(join(tmpdir(), 'haldir-model-'));
  const scriptFile = join(dir, 'ld-dump.pl');
  writeFileSync(scriptFile, script);
  const manifest = readManifest();
  const names = fixtureNames().filter((n) => {
    const e = manifest[n]!;
    return e.ldirectord.exit === 3 && !e.fix && !e.nodebug && !['y20-edge.cf'].includes(n);
  });
  assert.ok(names.length >= 80, `${names.length} fixtures`);
  const failures: string[] = [];
  try {
    const queue = [...names];
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
          const text = instantiate(readFixture(n), dir);
          const cf = join(dir, n);
          writeFileSync(cf, text);
          const r = await parseLdirectordCfText(text, n, { debug: true, hostname: 'haldir-test' });
          const ld = await runHarness(scriptFile, cf);
          const mine = r.config!.virtuals.map((v) => fromHaldir(r.config!, v));
          const theirs = ld.virtual.map((v) => fromLdirectord(ld, v));
          try {
            assert.deepEqual(mine, theirs);
          } catch (e) {
            failures.push(`${n}: ${(e as Error).message.slice(0, 1500)}`);
          }
        }
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(failures, []);
});
