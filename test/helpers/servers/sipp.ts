// sipp (Debian's sip-tester) as a UAS on a loopback port that answers every OPTIONS
// with the given status line (200 OK for the up case, anything else for a refusal).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonIn } from './daemon.js';
import { freePort } from './ports.js';
import { makeTempDir } from './tempdir.js';

export interface SipServer {
  readonly port: number;
  stop(): Promise<void>;
}

function scenario(status: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="haldir options uas">
  <recv request="OPTIONS" />
  <send>
    <![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]haldir[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

    ]]>
  </send>
</scenario>
`;
}

export async function startSipp(transport: 'udp' | 'tcp', status = '200 OK'): Promise<SipServer> {
  const dir = makeTempDir('sipp');
  const file = join(dir.path, 'uas.xml');
  writeFileSync(file, scenario(status));
  const port = await freePort();
  const stop = await startDaemonIn(dir, {
    name: 'sipp',
    command: '/usr/bin/sipp',
    args: ['-sf', file, '-i', '127.0.0.1', '-p', String(port), '-t', transport === 'udp' ? 'u1' : 't1', '-nostdin', '-nd'],
    cwd: dir.path,
    ready: [{ proto: transport, port }],
  });
  return { port, stop };
}
