// vrrp.cf -> VrrpConfig + diagnostics, in one pass over the whole file.
// Sections: [global], [vrrp_instance NAME], [vrrp_script NAME], [vrrp_sync_group NAME]
// with keepalived 2.2.7's directive names. The line scan (ini-scan.ts) reads what `ini`
// reads; each section has its reader; resolve.ts applies the cross-section rules.

import { hostname as osHostname } from 'node:os';
import type { Diagnostic } from '../config/model.js';
import { configSecurityWarnings } from '../config/secret-file.js';
import { DiagnosticSink, sortDiagnostics } from './diagnostics.js';
import { scanIni } from './ini-scan.js';
import type { VrrpConfig, VrrpGlobal, VrrpParseResult } from './model.js';
import { readGlobal } from './read-global.js';
import { readInstance } from './read-instance.js';
import { readScript, readSyncGroup, withFile } from './read-script-group.js';
import { assignSyncGroups, checkDuplicateVrids, resolveInstances } from './resolve.js';
import { SectionReader } from './section-reader.js';
import { collectSections, dropStructuralNoise, reportScanNotes, type NamedSection } from './sections.js';

export interface VrrpParseOptions {
  /** Default router_id (keepalived uses the host name). */
  readonly hostname?: string;
  /** st_mode of the file the text came from (for W-SECRET-READABLE); undefined when unknown. */
  readonly fileMode?: number;
}

/** The directives of vrrp.cf whose values are secrets (the VRRPv2 PASS key, the SMTP AUTH password). */
// status_secret too: anyone who reads it can sign status documents and make the other
// director believe a second master exists (docs/splitbrain.md, threat model).
export const VRRP_SECRETS = ['auth_pass', 'smtppasswd', 'status_secret'] as const;

export function parseVrrpConfig(text: string, file: string, options: VrrpParseOptions = {}): VrrpParseResult {
  const sink = new DiagnosticSink(file);
  // A byte-order mark (Windows editors) would make ini read "[global]" as a key.
  const scan = scanIni(text.startsWith('\uFEFF') ? text.slice(1) : text);
  reportScanNotes(scan, sink);
  const sections = collectSections(scan, sink);
  const reader = (s: NamedSection): SectionReader =>
    new SectionReader(sink, s.kind, s.kind === 'global' ? '[global]' : `[${s.kind} ${s.name}]`, s.header, dropStructuralNoise(s.entries));

  const globalSection = sections.find((s) => s.kind === 'global');
  const global = readGlobal(globalSection ? reader(globalSection) : undefined, options.hostname ?? osHostname());
  const globalWithSource: VrrpGlobal = { ...global, source: globalSection ? { file, line: globalSection.header.line } : undefined };

  const drafts = sections.filter((s) => s.kind === 'vrrp_instance').map((s) => readInstance(s.name, reader(s), s.header, global));
  const scripts = sections.filter((s) => s.kind === 'vrrp_script').map((s) => readScript(s.name, reader(s), s.header));
  const groups = sections.filter((s) => s.kind === 'vrrp_sync_group').map((s) => readSyncGroup(s.name, reader(s), s.header));
  if (drafts.length === 0) sink.report('E-NO-INSTANCES', 'no [vrrp_instance NAME] section: haldir-vrrp has nothing to run', 0, 1);

  checkDuplicateVrids(drafts, sink);
  const groupOf = assignSyncGroups(drafts, groups, sink);
  const instances = resolveInstances(drafts, scripts, groupOf, sink, file);

  const security = configSecurityWarnings({ file, text, secretDirectives: VRRP_SECRETS, mode: options.fileMode, smtp: { global, servers: [global.smtp] } });
  const diagnostics: Diagnostic[] = sortDiagnostics([...sink.items, ...security]);
  if (sink.hasErrors) return { config: undefined, diagnostics };
  const config: VrrpConfig = {
    file,
    global: globalWithSource,
    instances,
    scripts: scripts.map((s) => withFile(s, file)),
    syncGroups: groups.map((g) => withFile(g.group, file)),
  };
  return { config, diagnostics };
}
