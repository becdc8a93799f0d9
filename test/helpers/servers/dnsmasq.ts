// Debian's dnsmasq as an authoritative-looking server on one loopback port (udp and
// tcp), answering only from --address / --host-record; no upstream, no /etc/hosts.
import { startDaemonIn } from './daemon.js';
import { freePort } from './ports.js';
import { makeTempDir } from './tempdir.js';

export interface DnsServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** records: name -> IPv4 address; each gets an A and the matching PTR (--host-record). */
export async function startDnsmasq(records: Readonly<Record<string, string>>): Promise<DnsServer> {
  const dir = makeTempDir('dnsmasq');
  const port = await freePort();
  const stop = await startDaemonIn(dir, {
    name: 'dnsmasq',
    command: '/usr/sbin/dnsmasq',
    args: [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--bind-interfaces',
      '--listen-address=127.0.0.1',
      `--port=${port}`,
      `--pid-file=${dir.path}/dnsmasq.pid`,
      '--user=nobody',
      '--log-facility=-',
      ...Object.entries(records).map(([name, addr]) => `--host-record=${name},${addr}`),
    ],
    ready: [
      { proto: 'tcp', port },
      { proto: 'udp', port },
    ],
  });
  return { port, stop };
}
