// `haldir-vrrp configtest [--json] [file]`: parse vrrp.cf, print every diagnostic
// compiler-style (`file:line:col: error[CODE]: message`), exit 1 on any error.
// keepalived only checks with the opt-in `keepalived -t`; haldir-vrrp runs the same
// check before every start and reload, and this is the operator's way to run it first.

import { DEFAULT_VRRP_CF } from './paths.js';
import { formatDiagnostic } from './diagnostics.js';
import { processIo, readOrReport, type VrrpCliIo } from './cli-io.js';
import { parseVrrpConfig } from './parse.js';
import { redactSecrets } from './secret-file.js';
import { fileModeOf } from '../config/secret-file.js';

const USAGE = `usage: haldir-vrrp configtest [--json] [FILE]   (default ${DEFAULT_VRRP_CF})
  --json   print the parsed model (effective values, defaults applied) as JSON
exit status: 0 config valid (warnings allowed), 1 errors, 2 bad usage
`;

export async function runVrrpConfigtest(argv: readonly string[], io: VrrpCliIo = processIo): Promise<number> {
  let json = false;
  const files: string[] = [];
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') {
      io.stdout(USAGE);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.stderr(`haldir-vrrp configtest: unknown option ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length > 1) {
    io.stderr(`haldir-vrrp configtest: one file at a time\n${USAGE}`);
    return 2;
  }
  const file = files[0] ?? DEFAULT_VRRP_CF;
  const text = await readOrReport(io, file, 'configtest [--json] [FILE]');
  if (text === undefined) return 1;
  const result = parseVrrpConfig(text, file, { ...(io.hostname !== undefined ? { hostname: io.hostname } : {}), fileMode: fileModeOf(file) });
  for (const d of result.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
  if (!result.config) {
    io.stderr(`${file}: ${errors} error(s), ${warnings} warning(s); haldir-vrrp would not start with this file\n`);
    return 1;
  }
  if (json) io.stdout(JSON.stringify(result.config, (k, v: unknown) => (v === undefined ? null : redactSecrets(k, v)), 2) + '\n');
  else {
    const c = result.config;
    io.stdout(`${file}: OK: ${c.instances.length} instance(s) (${c.instances.map((i) => `${i.name} ${i.initialState} vrid ${i.vrid} prio ${i.priority}`).join('; ')}), ${c.scripts.length} script(s), ${c.syncGroups.length} sync group(s)${warnings ? `, ${warnings} warning(s)` : ''}\n`);
  }
  return 0;
}
