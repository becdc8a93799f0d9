// Run inside the client namespace: `node client-loop.js VIP PORT INTERVAL_MS`. Requests
// http://VIP:PORT/ every INTERVAL_MS (one at a time, 300 ms timeout) and prints
// "EPOCH_MS BODY" per request, BODY "-" when it failed: which director answered, when.

import { request } from 'node:http';

const [vip = '', port = '8080', every = '50'] = process.argv.slice(2);

function once(): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: vip, port: Number(port), path: '/', timeout: 300, agent: false }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => resolve(b.trim() || '-'));
      res.on('error', () => resolve('-'));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve('-'));
    req.end();
  });
}

for (;;) {
  const t = Date.now();
  const who = await once();
  process.stdout.write(`${t} ${who}\n`);
  await new Promise((r) => setTimeout(r, Math.max(0, Number(every) - (Date.now() - t))));
}
