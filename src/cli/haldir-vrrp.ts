#!/usr/bin/env node
// haldir-vrrp: the VRRP peer. Placeholder until the VRRP issue lands.
process.stdout.write('haldir-vrrp: not yet implemented\n');
process.exit(1);
