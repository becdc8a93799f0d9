// Reload diff (old model x new model): which virtuals were added, removed or changed,
// and within a changed virtual which reals were added, removed or changed, naming the
// fields. Source positions are ignored: moving a block in the file is not a change.
// The director uses it to keep health state of unchanged reals across a reload (spec
// section 10) and to decide -A/-E/-D for the table.
import type { Config, GlobalConfig, RealServer, VirtualService } from './model.js';

export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface RealChange {
  /** "address:port" (IPv6 in brackets). */
  readonly key: string;
  readonly before: RealServer;
  readonly after: RealServer;
  readonly fields: readonly FieldChange[];
}

export interface VirtualChange {
  readonly id: string;
  readonly before: VirtualService;
  readonly after: VirtualService;
  /** Virtual-level fields that changed (reals are reported separately). */
  readonly fields: readonly FieldChange[];
  readonly realsAdded: readonly RealServer[];
  readonly realsRemoved: readonly RealServer[];
  readonly realsChanged: readonly RealChange[];
}

export interface ConfigDiff {
  readonly added: readonly VirtualService[];
  readonly removed: readonly VirtualService[];
  readonly changed: readonly VirtualChange[];
  /** Ids of virtuals present in both and identical. */
  readonly unchanged: readonly string[];
  readonly global: readonly FieldChange[];
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (k, x: unknown) => {
    if (k === 'source') return undefined;
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return x;
  });
}

function fieldChanges<T extends object>(a: T, b: T, skip: readonly string[]): FieldChange[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: FieldChange[] = [];
  for (const k of [...keys].sort()) {
    if (skip.includes(k)) continue;
    const before = (a as Record<string, unknown>)[k];
    const after = (b as Record<string, unknown>)[k];
    if (canonical(before) !== canonical(after)) out.push({ field: k, before, after });
  }
  return out;
}

export function realKey(r: RealServer): string {
  return r.address.includes(':') ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`;
}

function byKey<T>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  const m = new Map<string, T>();
  for (const i of items) if (!m.has(key(i))) m.set(key(i), i);
  return m;
}

export function diffVirtual(before: VirtualService, after: VirtualService): VirtualChange {
  const oldReals = byKey(before.reals, realKey);
  const newReals = byKey(after.reals, realKey);
  const realsAdded: RealServer[] = [];
  const realsChanged: RealChange[] = [];
  for (const [k, r] of newReals) {
    const o = oldReals.get(k);
    if (!o) realsAdded.push(r);
    else {
      const fields = fieldChanges(o, r, ['source']);
      if (fields.length) realsChanged.push({ key: k, before: o, after: r, fields });
    }
  }
  const realsRemoved = [...oldReals].filter(([k]) => !newReals.has(k)).map(([, r]) => r);
  return { id: after.id, before, after, fields: fieldChanges(before, after, ['source', 'reals']), realsAdded, realsRemoved, realsChanged };
}

export function diffConfigs(before: Config, after: Config): ConfigDiff {
  const oldV = byKey(before.virtuals, (v) => v.id);
  const newV = byKey(after.virtuals, (v) => v.id);
  const added: VirtualService[] = [];
  const changed: VirtualChange[] = [];
  const unchanged: string[] = [];
  for (const [id, v] of newV) {
    const o = oldV.get(id);
    if (!o) {
      added.push(v);
      continue;
    }
    const d = diffVirtual(o, v);
    if (d.fields.length || d.realsAdded.length || d.realsRemoved.length || d.realsChanged.length) changed.push(d);
    else unchanged.push(id);
  }
  const removed = [...oldV].filter(([id]) => !newV.has(id)).map(([, v]) => v);
  return { added, removed, changed, unchanged, global: fieldChanges<GlobalConfig>(before.global, after.global, []) };
}

/** True when nothing the director acts on changed. */
export function isEmptyDiff(d: ConfigDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0 && d.global.length === 0;
}
