// `haldir status -v`: the live table in `ipvsadm -L -n`'s layout, with haldir's health
// columns to the right, so the eye that reads ipvsadm reads this too.
import type { DirectorSnapshot } from './director.js';

const FWD: Record<string, string> = { gate: 'Route', masq: 'Masq', ipip: 'Tunnel' };

function ago(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  return `${Math.round(ms / 60_000)}m`;
}

export function formatStatus(s: DirectorSnapshot): string {
  const out: string[] = [];
  out.push(`haldir pid ${s.pid}, config ${s.config}, status ${s.status}, up ${ago(s.startedAgoMs)}` +
    (s.lastReload ? `, last reload ${s.lastReload.ok ? 'ok' : `REJECTED (${s.lastReload.errors} errors)`} ${ago(s.lastReload.agoMs)} ago` : ''));
  out.push('Prot LocalAddress:Port Scheduler Flags');
  out.push('  -> RemoteAddress:Port           Forward Weight Health  Checked  Last check');
  for (const v of s.virtuals) {
    out.push(`${v.label} ${v.scheduler}${v.flags ? ` ${v.flags}` : ''}  [${v.check}]`);
    for (const r of v.reals) {
      const addr = `${r.address.includes(':') ? `[${r.address}]` : r.address}:${r.port}`;
      const weight = r.weight === undefined ? '-' : String(r.weight);
      const checked = r.lastCheck ? `${ago(r.lastCheck.ageMs)} ago` : 'never';
      const last = r.lastCheck ? r.lastCheck.message : '';
      out.push(`  -> ${addr.padEnd(28)} ${(FWD[r.forward] ?? r.forward).padEnd(7)} ${weight.padEnd(6)} ${r.health.padEnd(7)} ${checked.padEnd(8)} ${last}`);
    }
    if (v.fallback) {
      const addr = `${v.fallback.address.includes(':') ? `[${v.fallback.address}]` : v.fallback.address}:${v.fallback.port}`;
      out.push(`  -> ${addr.padEnd(28)} fallback ${v.fallback.active ? 'ACTIVE' : 'standby'}`);
    }
  }
  return out.join('\n') + '\n';
}
