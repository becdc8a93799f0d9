// Cross-section checks and keepalived's whole-file fix-ups: duplicate VRIDs, sync group
// membership, track_script references, and the effects of sync groups and address owners
// on tracking and start state (keepalived 2.2.7 vrrp_sync.c / vrrp_complete_instance(),
// each checked against keepalived's -d dump by the differential tests).

import { didYouMean } from '../config/diagnostics.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { TrackRef, VrrpInstance, VrrpScript } from './model.js';
import type { InstanceDraft } from './read-instance.js';
import { withFile, type GroupDraft } from './read-script-group.js';

/** Two virtual routers with one VRID on one LAN and family would answer each other's adverts. */
export function checkDuplicateVrids(drafts: readonly InstanceDraft[], sink: DiagnosticSink): void {
  const seen = new Map<string, string>();
  for (const d of drafts) {
    const i = d.instance;
    if (!d.vridEntry || i.interface === '') continue;
    const k = `${i.interface}/${i.family}/${i.vrid}`;
    const other = seen.get(k);
    if (other !== undefined) {
      sink.report('E-DUPLICATE-VRID', `virtual_router_id ${i.vrid} is already used by ${other} on ${i.interface}; give each instance on an interface its own VRID`, d.vridEntry.line, d.vridEntry.valueColumn);
    } else seen.set(k, i.name);
  }
}

/** instance name -> its sync group, reporting unknown members and members of two groups. */
export function assignSyncGroups(drafts: readonly InstanceDraft[], groups: readonly GroupDraft[], sink: DiagnosticSink): Map<string, string> {
  const instanceNames = new Set(drafts.map((d) => d.instance.name));
  const groupOf = new Map<string, string>();
  for (const g of groups) {
    for (const m of g.members) {
      if (!instanceNames.has(m.value)) {
        const guess = didYouMean(m.value, [...instanceNames]);
        sink.report('E-UNKNOWN-INSTANCE', `sync group ${g.group.name} names "${m.value}", which is no [vrrp_instance] section${guess ? `; did you mean "${guess}"?` : ''}`, m.entry.line, m.entry.valueColumn);
      } else if (groupOf.has(m.value)) {
        sink.report('E-INSTANCE-IN-TWO-GROUPS', `${m.value} is already in sync group ${groupOf.get(m.value)}; an instance belongs to at most one group`, m.entry.line, m.entry.valueColumn);
      } else groupOf.set(m.value, g.group.name);
    }
  }
  return groupOf;
}

/** The effective instances: tracks resolved and keepalived's sync-group / owner rules applied. */
export function resolveInstances(
  drafts: readonly InstanceDraft[],
  scripts: readonly VrrpScript[],
  groupOf: ReadonlyMap<string, string>,
  sink: DiagnosticSink,
  file: string,
): VrrpInstance[] {
  const scriptByName = new Map(scripts.map((s) => [s.name, s]));
  const tracked = new Set<string>();
  // keepalived 2.2.7 (checked with keepalived -d): a sync group starts MASTER only when every
  // member is an address owner (priority 255) starting MASTER; otherwise every member starts BACKUP.
  const groupState = (i: InstanceDraft['instance'], group: string | undefined): VrrpInstance['initialState'] => {
    if (group === undefined) return i.initialState;
    const members = drafts.filter((d) => groupOf.get(d.instance.name) === group);
    const spoiler = members.find((m) => m.instance.priority !== 255 || m.instance.initialState !== 'MASTER');
    if (!spoiler) return 'MASTER';
    if (i.initialState === 'MASTER') {
      const why = spoiler.instance.priority !== 255 ? `has priority ${spoiler.instance.priority}` : 'starts BACKUP';
      sink.report('W-SYNC-GROUP-STATE', `${i.name} starts as BACKUP, not MASTER: a sync group (${group}) starts MASTER only when all its members are MASTER with priority 255, and ${spoiler.instance.name} ${why} (as keepalived does); the election makes the best node MASTER within 3 adverts`, i.source.line, 1);
    }
    return 'BACKUP';
  };
  const r255 = (d: InstanceDraft): string => (d.ownerByDefault ? '; state MASTER without a priority means 255' : '');
  const instances = drafts.map((d) => {
    const group = groupOf.get(d.instance.name);
    // keepalived 2.2.7: "ignoring eth1 tracked interface weight due to SYNC group": a member of a
    // sync group fails over as a whole, so a tracked interface going down means FAULT.
    const inGroup = (name: string, weight: number, line: number): number => {
      if (group === undefined || weight === 0) return weight;
      sink.report('W-SYNC-GROUP-WEIGHT', `track_interface ${name} weight ${weight} is ignored because ${d.instance.name} is in sync group ${group}; the interface going down faults the group (as keepalived does)`, line, 1);
      return 0;
    };
    const trackScripts: TrackRef[] = d.trackScripts.flatMap((t) => {
      const s = scriptByName.get(t.name);
      tracked.add(t.name);
      if (!s) {
        const guess = didYouMean(t.name, [...scriptByName.keys()]);
        sink.report('E-UNDEFINED-SCRIPT', `track_script "${t.name}" has no [vrrp_script ${t.name}] section${guess ? `; did you mean "${guess}"?` : ''}`, t.entry.line, t.entry.valueColumn);
        return [];
      }
      const weight = t.weight ?? s.weight;
      if (d.instance.priority === 255 && weight !== 0) {
        // keepalived 2.2.7: "ignoring tracked script X with weights due to address_owner":
        // an owner's priority cannot change, so a weighted script would do nothing.
        sink.report('W-OWNER-WEIGHT', `track_script ${t.name} (weight ${weight}) is ignored because ${d.instance.name} has priority 255 (address owner${r255(d)}), whose priority cannot change (as keepalived does); use weight 0 to fault it instead, or a priority below 255`, t.entry.line, t.entry.valueColumn);
        return [];
      }
      if (group !== undefined && weight !== 0) {
        // keepalived 2.2.7 (vrrp_sync.c) drops a weighted track_script of a sync group member
        // altogether: "ignoring tracked script X with weights due to SYNC group".
        sink.report('W-SYNC-GROUP-WEIGHT', `track_script ${t.name} (weight ${weight}) is ignored because ${d.instance.name} is in sync group ${group} (as keepalived does); give it weight 0 (track_script[] = ${t.name} weight 0) so a failure faults the group`, t.entry.line, t.entry.valueColumn);
        return [];
      }
      return [{ name: t.name, weight, source: { file, line: t.entry.line } }];
    });
    // keepalived applies the sync group rule (weight -> 0) before the address owner rule.
    const trackInterfaces = d.instance.trackInterfaces.flatMap((t0) => {
      const t = { ...t0, weight: inGroup(t0.name, t0.weight, t0.source.line) };
      if (d.instance.priority === 255 && t.weight !== 0) {
        // keepalived 2.2.7: "ignoring eth1 tracked interface due to address owner"
        sink.report('W-OWNER-WEIGHT', `track_interface ${t.name} (weight ${t.weight}) is ignored because ${d.instance.name} has priority 255 (address owner${r255(d)}), whose priority cannot change (as keepalived does)`, t.source.line, 1);
        return [];
      }
      return [t];
    });
    return withFile({ ...d.instance, trackScripts, trackInterfaces, syncGroup: group, initialState: groupState(d.instance, group) }, file);
  });
  for (const s of scripts) {
    if (!tracked.has(s.name)) sink.report('W-UNUSED-SCRIPT', `[vrrp_script ${s.name}] is tracked by no instance (add track_script[] = ${s.name})`, s.source.line, 1);
  }
  return instances;
}
