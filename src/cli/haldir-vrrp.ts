#!/usr/bin/env node
// haldir-vrrp [-d] [--pidfile FILE] [CONFIG] start|stop|status [-v]|reload|configtest|import-keepalived
// argv only; the commands live in src/vrrp/service.ts and src/vrrp-config/.

import { DEFAULT_VRRP_CF } from '../vrrp-config/paths.js';
import { runVrrpConfigtest } from '../vrrp-config/configtest.js';
import { runImportKeepalived } from '../vrrp-config/import-keepalived.js';
import { runReload, runStart, runStatus, runStop } from '../vrrp/service.js';
import type { ServiceOptions } from '../vrrp/service.js';

const USAGE = `usage: haldir-vrrp [-d] [--pidfile FILE] [CONFIG] start|stop|status [-v]|reload
       haldir-vrrp [CONFIG] configtest [--json]
       haldir-vrrp import-keepalived [ARGS...]   (see haldir-vrrp import-keepalived --help)
  CONFIG defaults to ${DEFAULT_VRRP_CF}; -d runs in the foreground, logging to stderr.
`;

const COMMANDS = new Set(['start', 'stop', 'status', 'reload', 'restart', 'configtest', 'import-keepalived']);

async function main(argv: string[]): Promise<number> {
  let foreground = false;
  let pidFile: string | undefined;
  let backgroundChild = false;
  let config: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-d' || a === '--debug') foreground = true;
    else if (a === '--pidfile') pidFile = argv[++i];
    else if (a.startsWith('--pidfile=')) pidFile = a.slice('--pidfile='.length);
    else if (a === '--background-child') backgroundChild = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (COMMANDS.has(a)) break;
    else if (!a.startsWith('-') && config === undefined) config = a;
    else {
      process.stderr.write(`haldir-vrrp: unexpected argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  const command = argv[i];
  const rest = argv.slice(i + 1);
  if (!command) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (command === 'configtest') return runVrrpConfigtest(config ? [...rest, config] : rest);
  if (command === 'import-keepalived') return runImportKeepalived(rest);
  const verbose = rest.includes('-v') || rest.includes('--verbose');
  const o: ServiceOptions = {
    configPath: config ?? DEFAULT_VRRP_CF,
    pidFile,
    foreground,
    backgroundChild,
    verbose,
    ipPath: process.env.HALDIR_VRRP_IP,
    arpingPath: process.env.HALDIR_VRRP_ARPING,
    ipvsadmPath: process.env.HALDIR_VRRP_IPVSADM,
  };
  switch (command) {
    case 'start':
      return runStart(o);
    case 'stop':
      return runStop(o);
    case 'restart': {
      await runStop(o);
      return runStart(o);
    }
    case 'status':
      return runStatus(o);
    case 'reload':
      return runReload(o);
  }
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`haldir-vrrp: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
