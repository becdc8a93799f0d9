// Side by side with ldirectord itself: for each case, ldirectord 4.12's own check sub
// (Perl, its real client modules) and haldir's check run against the very same real
// server on loopback, and must reach the same verdict, except where haldir differs on
// purpose (docs/services.md, README, "Differences from ldirectord").
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { serviceChecks } from '../../../src/checks/services/index.js';
import type { ServiceName } from '../../../src/config/model.js';
import { startBannerServer } from '../../helpers/servers/banner.js';
import { startTcpBlackhole, startUdpBlackhole } from '../../helpers/servers/blackhole.js';
import { startDnsmasq } from '../../helpers/servers/dnsmasq.js';
import { startDovecot } from '../../helpers/servers/dovecot.js';
import { startFreeradius } from '../../helpers/servers/freeradius.js';
import { startMariadb } from '../../helpers/servers/mariadb.js';
import { freePort } from '../../helpers/servers/ports.js';
import { startPostgres } from '../../helpers/servers/postgres.js';
import { startSipp } from '../../helpers/servers/sipp.js';
import { startSlapd } from '../../helpers/servers/slapd.js';
import { startVsftpd } from '../../helpers/servers/vsftpd.js';
import { makeCtx, never } from './context.js';
import { type LdCase, ldirectordVerdicts } from './ldirectord-checks.js';
import { needsRoot } from '../../helpers/servers/root.js';

interface Case {
  readonly name: string;
  /** 127.0.0.1 unless given. */
  readonly host?: string;
  readonly service: ServiceName;
  readonly port: number;
  readonly protocol?: 'tcp' | 'udp';
  readonly request?: string;
  readonly receive?: string;
  readonly login?: string;
  readonly passwd?: string;
  readonly database?: string;
  readonly secret?: string;
  /** Seconds (negotiatetimeout = checktimeout). */
  readonly timeout?: number;
  /** haldir's verdict differs on purpose; ldirectord's is the other one. */
  readonly deliberate?: string;
}

const NO_TLS_VERIFY = "haldir does not verify TLS certificates; ldirectord's IO::Socket::SSL rejects the self-signed one";
const IMAP_PORT = 'Net::IMAP::Simple ignores port => for an IP-address real and always connects to 143 (993)';
/** Loopback addresses where Node servers answer on the imap port itself (root binds 143). */
const IMAP_HOST = '127.0.0.2';
const IMAP_HOST2 = '127.0.0.3';

const toLd = (c: Case): LdCase => ({
  v: {
    service: c.service,
    protocol: c.protocol ?? 'tcp',
    login: c.login ?? '',
    passwd: c.passwd ?? '',
    database: c.database ?? '',
    secret: c.secret ?? '',
    negotiatetimeout: c.timeout ?? 3,
    checktimeout: c.timeout ?? 3,
  },
  r: { server: c.host ?? '127.0.0.1', port: c.port, request: c.request ?? '/', receive: c.receive ?? '' },
});

/** An SMTP server that greets 220 and answers EHLO with `ehlo`, HELO with 250. */
async function startOldSmtp(ehlo: string): Promise<{ port: number; stop(): Promise<void> }> {
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write('220 old.example SMTP\r\n');
    s.on('data', (d) => {
      for (const line of d.toString().split('\r\n')) {
        if (line.startsWith('EHLO')) s.write(`${ehlo}\r\n`);
        else if (line.startsWith('HELO')) s.write('250 old.example\r\n');
        else if (line.startsWith('QUIT')) s.end('221 bye\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as net.AddressInfo).port,
    stop: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

/** Greets with * OK and answers LOGOUT, which is all Net::IMAP::Simple->new/quit need. */
async function startMiniImap(host: string, port: number): Promise<{ stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.write('* OK [CAPABILITY IMAP4rev1] ready\r\n');
    s.on('data', (d) => {
      const m = /^(\S+) LOGOUT/im.exec(d.toString());
      if (m) s.end(`* BYE bye\r\n${m[1]} OK LOGOUT completed\r\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, resolve);
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

describe('service checks side by side with ldirectord 4.12', { timeout: 300_000, skip: needsRoot }, () => {
  const stops: Array<() => Promise<void>> = [];
  const cases: Case[] = [];
  before(async () => {
    const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    stops.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
    const smtpPort = (smtp.server.address() as net.AddressInfo).port;
    const smtpRefusing = await startBannerServer('554 no service\r\n');
    const news = await startBannerServer('200 news ready\r\n');
    const smtpNoEhlo = await startOldSmtp('502 command not implemented');
    const smtpBusyEhlo = await startOldSmtp('421 too busy');
    const newsBusy = await startBannerServer('400 too busy\r\n');
    const tcpHole = await startTcpBlackhole();
    const imapOk = await startMiniImap(IMAP_HOST, 143);
    const imapBye = await startBannerServer('* BYE maintenance\r\n', IMAP_HOST2, 143);
    const udpHole = await startUdpBlackhole();
    const [mail, ftp, dns, sipUdp, sipTcp, sip503, rad, pg, my, ldap] = await Promise.all([
      startDovecot(),
      startVsftpd({ 'health.txt': 'status: ALIVE\n' }),
      startDnsmasq({ 'www.haldir.test': '10.9.8.7' }),
      startSipp('udp'),
      startSipp('tcp'),
      startSipp('udp', '503 Service Unavailable'),
      startFreeradius(),
      startPostgres(),
      startMariadb(),
      startSlapd(),
    ]);
    for (const s of [smtpNoEhlo, smtpBusyEhlo, imapOk, imapBye, smtpRefusing, news, newsBusy, tcpHole, udpHole, mail, ftp, dns, sipUdp, sipTcp, sip503, rad, pg, my, ldap]) {
      stops.push(() => s.stop());
    }
    const dead = await freePort();
    const mailUser = { login: mail.user, passwd: mail.password };
    const sql = (service: 'mysql' | 'pgsql', port: number, user: string, password: string) => [
      { name: `${service} row`, service, port, login: user, passwd: password, database: 'health', request: '/SELECT ok FROM up_flag' },
      { name: `${service} no rows`, service, port, login: user, passwd: password, database: 'health', request: '/SELECT ok FROM empty_flag' },
      { name: `${service} bad password`, service, port, login: user, passwd: 'wrong', database: 'health', request: '/SELECT ok FROM up_flag' },
      { name: `${service} no login`, service, port, database: 'health', request: '/SELECT 1' },
      { name: `${service} refused`, service, port: dead, login: user, passwd: password, request: '/SELECT 1' },
    ];
    cases.push(
      { name: 'smtp up', service: 'smtp', port: smtpPort },
      { name: 'submission up', service: 'submission', port: smtpPort },
      { name: 'smtp 554 greeting', service: 'smtp', port: smtpRefusing.port },
      { name: 'smtp refused', service: 'smtp', port: dead },
      { name: 'smtp EHLO 502 -> HELO', service: 'smtp', port: smtpNoEhlo.port },
      { name: 'smtp EHLO 421', service: 'smtp', port: smtpBusyEhlo.port },
      { name: 'smtp blackhole', service: 'smtp', port: tcpHole.port, timeout: 1 },
      { name: 'nntp 200', service: 'nntp', port: news.port },
      { name: 'nntp 400', service: 'nntp', port: newsBusy.port },
      { name: 'nntp refused', service: 'nntp', port: dead },
      { name: 'pop greeting', service: 'pop', port: mail.pop3 },
      { name: 'pop login', service: 'pop', port: mail.pop3, ...mailUser },
      { name: 'pops login', service: 'pops', port: mail.pop3s, ...mailUser, deliberate: NO_TLS_VERIFY },
      { name: 'pop bad password', service: 'pop', port: mail.pop3, login: mail.user, passwd: 'wrong' },
      { name: 'pop login refused', service: 'pop', port: dead, ...mailUser },
      { name: 'pop no login refused', service: 'pop', port: dead, deliberate: 'pop without login must get a greeting' },
      // ldirectord's imap checks only ever reach port 143/993 of an IP real (IMAP_PORT), so
      // comparing logins on dovecot's test ports would only compare that; one case shows it.
      { name: 'imap greeting', service: 'imap', port: mail.imap, deliberate: IMAP_PORT },
      { name: 'imap greeting on 143', service: 'imap', host: IMAP_HOST, port: 143 },
      { name: 'imap BYE on 143', service: 'imap', host: IMAP_HOST2, port: 143 },
      { name: 'ftp anonymous', service: 'ftp', port: ftp.port, request: '/health.txt', receive: 'ALIVE', login: 'anonymous', passwd: 'ldirectord@x' },
      { name: 'ftp user', service: 'ftp', port: ftp.port, request: '/health.txt', receive: 'ALIVE', login: ftp.user, passwd: ftp.password },
      { name: 'ftp mismatch', service: 'ftp', port: ftp.port, request: '/health.txt', receive: 'DEAD', login: 'anonymous', passwd: 'x@y' },
      { name: 'ftp bad password', service: 'ftp', port: ftp.port, request: '/health.txt', receive: 'ALIVE', login: ftp.user, passwd: 'wrong', timeout: 6 },
      { name: 'ftp missing file', service: 'ftp', port: ftp.port, request: '/nope.txt', receive: 'ALIVE', login: 'anonymous', passwd: 'x@y' },
      { name: 'ftp refused', service: 'ftp', port: dead, request: '/health.txt', receive: 'ALIVE', login: 'anonymous', passwd: 'x@y' },
      { name: 'dns A udp', service: 'dns', port: dns.port, protocol: 'udp', request: '/www.haldir.test', receive: '10\\.9\\.8\\.7' },
      { name: 'dns A tcp', service: 'dns', port: dns.port, protocol: 'tcp', request: '/www.haldir.test', receive: '10\\.9\\.8\\.7' },
      { name: 'dns PTR', service: 'dns', port: dns.port, protocol: 'udp', request: '/10.9.8.7', receive: 'www\\.haldir' },
      { name: 'dns mismatch', service: 'dns', port: dns.port, protocol: 'udp', request: '/www.haldir.test', receive: '10\\.0\\.0\\.1' },
      { name: 'dns no receive', service: 'dns', port: dns.port, protocol: 'udp', request: '/www.haldir.test' },
      { name: 'dns nxdomain', service: 'dns', port: dns.port, protocol: 'udp', request: '/nope.haldir.test', receive: '.' },
      { name: 'dns blackhole', service: 'dns', port: udpHole.port, protocol: 'udp', request: '/www.haldir.test', receive: '.', timeout: 1 },
      { name: 'sip udp 200', service: 'sip', port: sipUdp.port, protocol: 'udp', login: 'ldirectord@x' },
      { name: 'sip tcp 200', service: 'sip', port: sipTcp.port, protocol: 'tcp', login: 'ldirectord@x' },
      { name: 'sip udp 503', service: 'sip', port: sip503.port, protocol: 'udp', login: 'ldirectord@x' },
      { name: 'sip tcp 503 from a udp-only server (refused)', service: 'sip', port: sip503.port, protocol: 'tcp', login: 'ldirectord@x' },
      { name: 'sip tcp refused', service: 'sip', port: dead, protocol: 'tcp', login: 'ldirectord@x' },
      { name: 'radius accept', service: 'radius', port: rad.port, login: rad.user, passwd: rad.password, secret: rad.secret },
      { name: 'radius reject', service: 'radius', port: rad.port, login: rad.user, passwd: 'wrong', secret: rad.secret },
      { name: 'radius wrong secret', service: 'radius', port: rad.port, login: rad.user, passwd: rad.password, secret: 'nope', timeout: 1 },
      { name: 'radius blackhole', service: 'radius', port: udpHole.port, login: 'a', passwd: 'b', secret: 'c', timeout: 1 },
      { name: 'ldap anonymous', service: 'ldap', port: ldap.ldap, request: `/ou=people,${ldap.suffix}` },
      { name: 'ldaps anonymous', service: 'ldaps', port: ldap.ldaps, request: `/ou=people,${ldap.suffix}` },
      { name: 'ldap bind + receive', service: 'ldap', port: ldap.ldap, request: `/${ldap.suffix}`, receive: '^dc=haldir', login: ldap.adminDn, passwd: ldap.adminPassword },
      { name: 'ldap login without passwd binds anonymously', service: 'ldap', port: ldap.ldap, request: `/${ldap.suffix}`, login: ldap.adminDn },
      { name: 'ldap DN mismatch', service: 'ldap', port: ldap.ldap, request: `/${ldap.suffix}`, receive: 'ou=hosts' },
      { name: 'ldap missing base', service: 'ldap', port: ldap.ldap, request: `/ou=nobody,${ldap.suffix}` },
      { name: 'ldap bad password', service: 'ldap', port: ldap.ldap, request: `/${ldap.suffix}`, login: ldap.adminDn, passwd: 'wrong' },
      { name: 'ldap refused', service: 'ldap', port: dead, request: `/${ldap.suffix}` },
      ...sql('pgsql', pg.port, pg.user, pg.password),
      ...sql('mysql', my.port, my.user, my.password),
    );
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  it('reaches ldirectord\'s verdict on every case', async () => {
    const ld = await ldirectordVerdicts(cases.map(toLd));
    const rows: string[] = [];
    for (const [i, c] of cases.entries()) {
      const r = await serviceChecks[c.service](
        makeCtx({
          service: c.service,
          host: c.host ?? '127.0.0.1',
          port: c.port,
          protocol: c.protocol ?? 'tcp',
          request: c.request ?? '/',
          receive: c.receive ? new RegExp(c.receive) : undefined,
          login: c.login ?? '',
          passwd: c.passwd ?? '',
          database: c.database ?? '',
          secret: c.secret ?? '',
          timeoutMs: (c.timeout ?? 3) * 1000,
          checkTimeoutMs: (c.timeout ?? 3) * 1000,
        }),
        never(),
      );
      const ours = r.ok ? 'up' : 'down';
      const theirs = ld[i]?.state ?? 'missing';
      const expected = c.deliberate ? (theirs === 'up' ? 'down' : 'up') : theirs;
      // ldap and dns pass a message to service_set; it reaches the monitorfile.
      const theirMessage = ld[i]?.message ?? null;
      const sameWords = theirMessage === null || c.deliberate !== undefined || theirMessage === r.message;
      rows.push(
        `${ours === expected && sameWords ? 'same' : 'DIFF'}  ${c.name}: ldirectord ${theirs}${theirMessage ? ` "${theirMessage}"` : ''}, ` +
          `haldir ${ours} "${r.message}"${r.detail ? ` (${r.detail})` : ''}${c.deliberate ? ` [deliberate: ${c.deliberate}]` : ''}`,
      );
    }
    const diffs = rows.filter((l) => l.startsWith('DIFF'));
    assert.deepEqual(diffs, [], rows.join('\n'));
    // The table is not trivially one-sided: both verdicts occur, and messages were compared.
    const states = ld.map((v) => v.state);
    assert.ok(states.includes('up') && states.includes('down'), states.join(','));
    assert.ok(ld.filter((v) => v.message !== null).length >= 10, 'ldap/dns messages compared');
  });
});
