// Run inside a test namespace: `node probe-cli.js dup VIP DEV` or `node probe-cli.js ping HOST`
// or `node probe-cli.js status HOST PORT INSTANCE SECRET`. Runs one real probe from
// src/splitbrain/ there (probes act on the namespace they run in) and prints its result as JSON.

import { toolDuplicateProbe } from '../../../src/splitbrain/duplicate-probe.js';
import { systemPinger } from '../../../src/splitbrain/ping-probe.js';
import { gotStatusReader } from '../../../src/splitbrain/status-client.js';

const [what, a = '', b = '', c = '', d = ''] = process.argv.slice(2);
let out: unknown;
if (what === 'dup') out = await toolDuplicateProbe({ waitMs: 1000 }).probe(a, b);
else if (what === 'ping') out = { alive: await systemPinger(1).alive(a) };
else if (what === 'status') out = await gotStatusReader({ timeoutMs: 800, secret: () => d || undefined, wallNow: () => Date.now() }).read({ host: a, port: Number(b) }, { instance: c });
process.stdout.write(`${JSON.stringify(out)}\n`);
