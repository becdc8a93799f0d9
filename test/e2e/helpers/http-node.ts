// Run inside a director namespace: `node http-node.js NAME [PORT]`. The web server of
// the seed articles' nginx + keepalived layout: bound to all addresses (:: is dual-stack), answers with the
// node's name, so the client sees which director holds the VIP.

import { createServer } from 'node:http';

const [name = 'node', port = '8080'] = process.argv.slice(2);
createServer((_req, res) => res.end(name)).listen(Number(port), '::', () => process.stdout.write('READY\n'));
