// [vrrp_script NAME] -> VrrpScript and [vrrp_sync_group NAME] -> a group draft.

import type { SourceRef } from '../config/model.js';
import type { ScannedSection } from './ini-scan.js';
import { VRRP_DEFAULTS, type VrrpScript, type VrrpSyncGroup } from './model.js';
import { command, notifyCommands } from './read-global.js';
import { WEIGHT_RANGE } from './read-instance.js';
import { SectionReader, type Located } from './section-reader.js';

export function readScript(name: string, r: SectionReader, header: ScannedSection): VrrpScript {
  const script = command(r, 'script');
  if (!r.has('script')) {
    r.reportAtHeader('E-MISSING-DIRECTIVE', `${r.label} needs script = /path/to/check [args]`);
  }
  const interval = r.number('interval', 0.01, 86400)?.value ?? VRRP_DEFAULTS.scriptInterval;
  return {
    name,
    script: script ?? { raw: '', argv: [] },
    interval,
    // keepalived: a script without timeout gets its interval as timeout.
    timeout: r.number('timeout', 0.01, 86400)?.value ?? interval,
    weight: r.integer('weight', WEIGHT_RANGE[0], WEIGHT_RANGE[1])?.value ?? VRRP_DEFAULTS.scriptWeight,
    rise: r.integer('rise', 1, 1000)?.value ?? VRRP_DEFAULTS.scriptRise,
    fall: r.integer('fall', 1, 1000)?.value ?? VRRP_DEFAULTS.scriptFall,
    source: { file: '', line: header.line },
  };
}

export interface GroupDraft {
  readonly group: VrrpSyncGroup;
  readonly members: readonly Located<string>[];
}

export function readSyncGroup(name: string, r: SectionReader, header: ScannedSection): GroupDraft {
  const members = r.texts('group').flatMap((t) => t.value.split(/[\s,]+/).filter((w) => w !== '').map((value) => ({ value, entry: t.entry })));
  if (!r.has('group')) {
    r.reportAtHeader('E-MISSING-DIRECTIVE', `${r.label} needs group[] = INSTANCE lines, one per vrrp_instance`);
  }
  // keepalived vrrp_sync_group notify_* / notify: run on the group's own transitions.
  return { group: { name, instances: members.map((m) => m.value), notify: notifyCommands(r), source: { file: '', line: header.line } }, members };
}

export function withFile<T extends { readonly source: SourceRef }>(x: T, file: string): T {
  return { ...x, source: { ...x.source, file } };
}
