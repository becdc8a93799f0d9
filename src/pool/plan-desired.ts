// Config x health x observed table -> the table haldir wants, plus what changed (for
// the log and mail layer) and the fallbackcommand runs. Pure.
//
// It is ldirectord's state machine (service_set, _service_up/_service_down,
// _restore_service, _remove_service, fallback_on/fallback_off, do_fallback_command and
// ld_start; /usr/sbin/ldirectord L2617, L3885-L4420) written level-triggered: every
// round it says what each entry should be, so a missed change or a hand edit is
// repaired on the next round. Differences from ldirectord, on purpose (docs/ipvs.md):
//  - a real that has not passed a check is never given weight > 0 (ldirectord adds
//    every missing real at start/reload, then deletes or quiesces it);
//  - a fallback sharing ip:port with a real never deletes that real;
//  - a global fallback on a fwmark virtual gets the fallback's address (not "-r :0");
//  - a fallback entry left in the table while reals are up is removed.
import { splitCommandLine } from '../runtime/exec.js';
import type { Config, FallbackServer, GlobalConfig, RealServer, VirtualService } from '../config/model.js';
import { addrPort, canonicalAddress, destKey, serviceId, virtualLabel } from '../ipvs/keys.js';
import { kernelDestPort, normalizeNetmask } from '../ipvs/normalize.js';
import { indexTable, sameDestination, sameServiceSpec } from '../ipvs/plan.js';
import { parseSchedFlags } from '../ipvs/sched-flags.js';
import { IpvsError } from '../ipvs/types.js';
import type { IpvsDestination, IpvsErrorCode, IpvsService, IpvsTable, ServiceKey, ServiceSpec } from '../ipvs/types.js';
import { messages } from './messages.js';

/** 'unknown': not checked yet (just started, or new in a reloaded config). */
export type RealHealth = 'up' | 'down' | 'unknown';
export type HealthLookup = (virtualId: string, realKey: string) => RealHealth;

/** ldirectord's do_fallback_command status per virtual id. */
export type FallbackCommandState = ReadonlyMap<string, 'start' | 'stop'>;

export type PoolEventKind =
  | 'added'
  | 'restored'
  | 'quiescent'
  | 'readd-quiescent'
  | 'deleted'
  | 'added-fallback'
  | 'restored-fallback'
  | 'deleted-fallback'
  | 'purged'
  | 'virtual-added'
  | 'virtual-changed'
  | 'virtual-purged';

export interface PoolEvent {
  readonly kind: PoolEventKind;
  readonly virtualId: string;
  /** "RIP:RPORT" as ldirectord prints it; undefined for virtual-* events. */
  readonly server: string | undefined;
  /** The log line, ldirectord's exact text. */
  readonly message: string;
  /**
   * The e-mail subject ldirectord sends for it (ld_emailalert_send), or undefined when
   * ldirectord mails nothing (virtual-* events). Differs from `message` only for
   * readd-quiescent, which ldirectord mails as "Quiescent real server: ...".
   */
  readonly alert: string | undefined;
  /**
   * The kernel entry the event is about: the service id and, for a server, its
   * destination key. The director reports an event only once the table shows it
   * (confirmEvents), so a refused ipvsadm command is never logged as done.
   */
  readonly entry: { readonly service: string; readonly dest: string | undefined };
}

export interface FallbackCommandRun {
  readonly virtualId: string;
  readonly action: 'start' | 'stop';
  /** ldirectord's system() string: "CMD start VIP:VPORT PROTO". */
  readonly commandLine: string;
  /** The same split into argv (run without a shell). */
  readonly argv: readonly string[];
  /**
   * True when the line has shell metacharacters: Perl's system(STRING), which
   * ldirectord uses, then runs it with `/bin/sh -c commandLine`; otherwise it splits
   * on whitespace and execs directly, as `argv`.
   */
  readonly viaShell: boolean;
}

// Perl's doio.c: a system() string with any of these goes through /bin/sh -c.
const SHELL_METACHARS = /[$&*(){}[\]'";\\|?<>~`\n]/;

export interface PoolPlanOptions {
  /** What the previous rounds recorded (do_fallback_command's dedupe). */
  readonly fallbackState?: FallbackCommandState;
  /**
   * 'start' (daemon start or reload, ld_start): entries in managed virtuals that the
   * config does not name are purged. 'running': they are left alone, as ldirectord does
   * between reloads.
   */
  readonly phase?: 'start' | 'running';
  /** Virtual ids the previous config managed; those no longer configured are deleted. */
  readonly previousVirtualIds?: readonly string[];
}

export interface PoolPlan {
  readonly desired: IpvsTable;
  /** Pass to planOps: configured ids plus dropped ones still to delete. */
  readonly managedServiceIds: readonly string[];
  readonly events: readonly PoolEvent[];
  readonly fallbackCommands: readonly FallbackCommandRun[];
  readonly fallbackState: FallbackCommandState;
  /** Virtuals left untouched this round because the config asks for something ipvsadm refuses. */
  readonly problems: readonly PoolProblem[];
}

export interface PoolProblem {
  readonly virtualId: string;
  readonly code: IpvsErrorCode;
  readonly message: string;
}

/**
 * The key health is tracked under for a real: "10.0.0.2:80", "[2001:db8::2]:80", the
 * address exactly as the config model has it (the checks layer's `realLabel`, from
 * ldirectord's "$server:$port", is the same string for the same RealServer).
 */
export function realKey(real: Pick<RealServer, 'address' | 'port'>): string {
  return addrPort(real.address, real.port);
}

/** Health from a plain nested map (virtual id -> real key -> health); missing = unknown. */
export function healthFromMap(map: ReadonlyMap<string, ReadonlyMap<string, RealHealth>>): HealthLookup {
  return (v, r) => map.get(v)?.get(r) ?? 'unknown';
}

export function serviceKeyOf(v: VirtualService): ServiceKey {
  if (v.protocol === 'fwm') {
    return { protocol: 'fwm', family: v.family, address: undefined, port: 0, fwmark: v.fwmark ?? 0 };
  }
  // Stryker disable next-line StringLiteral: the config model gives every non-fwmark virtual an address; the default only satisfies the type
  return { protocol: v.protocol, family: v.family, address: canonicalAddress(v.address ?? ''), port: v.port, fwmark: undefined };
}

/** ld_setup's flags (L2292): -s, -p/-M, -b; -o only for udp virtuals. */
export function serviceSpecOf(v: VirtualService): ServiceSpec {
  const key = serviceKeyOf(v);
  return {
    key,
    scheduler: v.scheduler,
    persistent: v.persistent,
    netmask: normalizeNetmask(v.family, v.persistent, v.netmask),
    ops: v.protocol === 'udp' && v.ops,
    schedFlags: parseSchedFlags(v.schedflags, v.scheduler),
  };
}

/** fallback_find (L4340): the virtual's own fallback, else the global one of its family. */
export function resolveFallback(v: VirtualService, global: GlobalConfig): FallbackServer | undefined {
  return v.fallback ?? (v.family === 'inet6' ? global.fallback6 : global.fallback);
}

type Effective = 'up' | 'down' | 'pending';

interface RealDecision {
  readonly real: RealServer;
  readonly address: string;
  /** Port the kernel keeps (kernelDestPort). */
  readonly port: number;
  readonly key: string;
  readonly state: Effective;
}

function effectiveState(h: RealHealth, have: IpvsDestination | undefined): Effective {
  if (h !== 'unknown') return h;
  // ld_start adopts the table: present with weight > 0 counts as up, weight 0 as down.
  // Stryker disable next-line StringLiteral: 'down' and any other non-'up' value plan alike when the real is in the table (only the not-in-table branch tells 'pending' apart)
  if (have) return have.weight > 0 ? 'up' : 'down';
  return 'pending';
}

interface VirtualPlan {
  readonly service: IpvsService;
  readonly events: PoolEvent[];
  readonly anyUp: boolean;
}

function planVirtual(
  v: VirtualService,
  global: GlobalConfig,
  health: HealthLookup,
  observed: IpvsService | undefined,
  phase: 'start' | 'running',
): VirtualPlan {
  const spec = serviceSpecOf(v);
  const key = spec.key;
  const vlabel = virtualLabel(key);
  const events: PoolEvent[] = [];
  const sid = serviceId(key);
  // `dest`: the kernel destination key (undefined for the virtual itself)
  const event = (kind: PoolEventKind, dest: string | undefined, server: string | undefined, message: string, alert: string | undefined = message) =>
    events.push({ kind, virtualId: v.id, server, message, alert, entry: { service: sid, dest } });

  if (!observed) event('virtual-added', undefined, undefined, messages.addedVirtual(vlabel), undefined);
  else if (!sameServiceSpec(observed, spec)) event('virtual-changed', undefined, undefined, messages.changedVirtual(vlabel), undefined);

  const have = new Map((observed?.destinations ?? []).map((d) => [destKey(d), d]));
  const decisions = new Map<string, RealDecision>();
  for (const real of v.reals) {
    const address = canonicalAddress(real.address);
    const port = kernelDestPort(key, real.forward, real.port);
    const k = destKey({ address, port });
    const state = effectiveState(health(v.id, realKey(real)), have.get(k));
    const prev = decisions.get(k);
    // Two config reals landing on one kernel entry: an up one wins.
    if (!prev || (prev.state !== 'up' && state === 'up')) decisions.set(k, { real, address, port, key: k, state });
  }
  const anyUp = [...decisions.values()].some((d) => d.state === 'up');

  const fb = resolveFallback(v, global);
  const fbAddress = fb ? canonicalAddress(fb.address) : undefined;
  const fbPort = fb ? kernelDestPort(key, fb.forward, fb.port ?? v.port) : 0;
  const fbKey = fbAddress !== undefined ? destKey({ address: fbAddress, port: fbPort }) : undefined;
  // Stryker disable next-line ConditionalExpression: without a fallback there is no fbKey to skip and no fallback entry to plan, so 'active' is never read
  const fallbackActive = fb !== undefined && !anyUp;

  const want = new Map<string, IpvsDestination>();
  for (const d of decisions.values()) {
    if (fallbackActive && d.key === fbKey) continue; // the fallback entry owns this ip:port now
    const h = have.get(d.key);
    const server = addrPort(d.address, d.real.port);
    const mappedFrom = d.port !== d.real.port ? server : undefined;
    const shown = mappedFrom ? addrPort(d.address, d.port) : server;
    if (d.state === 'up') {
      const entry: IpvsDestination = {
        address: d.address,
        port: d.port,
        forward: d.real.forward,
        weight: d.real.weight,
        upperThreshold: d.real.upperThreshold,
        lowerThreshold: d.real.lowerThreshold,
      };
      want.set(d.key, entry);
      if (!h) event('added', d.key, server, messages.added('real', server, vlabel, entry.weight));
      else if (!sameDestination(h, entry)) event('restored', d.key, server, messages.restored('real', server, vlabel, entry.weight));
      continue;
    }
    // down, or pending (never checked and not in the table)
    if (!v.quiescent) {
      if (h) event('deleted', d.key, server, messages.deleted('real', shown, vlabel, mappedFrom));
      continue;
    }
    // _remove_service with quiescent: -e/-a without -x/-y, so thresholds drop to 0.
    const zero: IpvsDestination = {
      address: d.address, port: d.port, forward: d.real.forward, weight: 0, upperThreshold: 0, lowerThreshold: 0,
    };
    if (h) {
      if (h.weight === 0 && h.forward === d.real.forward) want.set(d.key, h);
      else {
        want.set(d.key, zero);
        event('quiescent', d.key, server, messages.quiescent(shown, vlabel, mappedFrom));
      }
    } else if (global.readdquiescent) {
      want.set(d.key, zero);
      event('readd-quiescent', d.key, server, messages.readdQuiescent(server, vlabel), messages.quiescent(server, vlabel));
    } else if (d.state === 'pending') {
      // ldirectord's start adds it with its weight and quiesces it at once; the end
      // state (present, weight 0) without the moment of live traffic.
      want.set(d.key, zero);
      event('quiescent', d.key, server, messages.quiescent(server, vlabel));
    }
  }

  // Stryker disable next-line ConditionalExpression,LogicalOperator: fbAddress and fbKey are defined exactly when fb is; the extra tests narrow the types
  if (fb && fbAddress !== undefined && fbKey !== undefined) {
    const h = have.get(fbKey);
    // ldirectord names the fallback by its configured port, and says "mapped from"
    // when ipvsadm moved it onto the virtual's port (_remove_service, L4002).
    const server = addrPort(fbAddress, fb.port ?? v.port);
    const mappedFrom = fbPort !== (fb.port ?? v.port) ? server : undefined;
    if (fallbackActive) {
      const entry: IpvsDestination = {
        address: fbAddress, port: fbPort, forward: fb.forward, weight: 1, upperThreshold: 0, lowerThreshold: 0,
      };
      want.set(fbKey, entry);
      if (!h) event('added-fallback', fbKey, server, messages.added('fallback', server, vlabel, 1));
      else if (!sameDestination(h, entry)) event('restored-fallback', fbKey, server, messages.restored('fallback', server, vlabel, 1));
    } else if (h && !decisions.has(fbKey)) {
      event('deleted-fallback', fbKey, server, messages.deleted('fallback', mappedFrom ? addrPort(fbAddress, fbPort) : server, vlabel, mappedFrom));
    }
  }

  for (const [k, h] of have) {
    if (want.has(k) || decisions.has(k) || k === fbKey) continue;
    if (phase === 'start') event('purged', k, k, messages.purgedReal('start', k, vlabel));
    else want.set(k, h); // untracked entries are left alone between reloads, as ldirectord does
  }

  return { service: { ...spec, destinations: [...want.values()] }, events, anyUp };
}

function fallbackCommandOf(v: VirtualService, global: GlobalConfig, action: 'start' | 'stop'): FallbackCommandRun | undefined {
  const cmd = v.fallbackcommand ?? global.fallbackcommand;
  if (cmd === undefined) return undefined;
  // do_fallback_command (L4376): "CMD STATUS VIP:VPORT PROTO"; for fwmark virtuals
  // ldirectord passes ":" (no server/port); haldir passes the mark.
  const where = virtualLabel(serviceKeyOf(v));
  const commandLine = `${cmd} ${action} ${where} ${v.protocol}`;
  return {
    virtualId: v.id,
    action,
    commandLine,
    argv: [...splitCommandLine(cmd), action, where, v.protocol],
    viaShell: SHELL_METACHARS.test(commandLine),
  };
}

export function planDesiredTable(
  config: Config,
  health: HealthLookup,
  observed: IpvsTable,
  options: PoolPlanOptions = {},
): PoolPlan {
  // Stryker disable next-line StringLiteral: only phase === 'start' is ever tested, so any other default plans the same
  const phase = options.phase ?? 'running';
  const obs = indexTable(observed);
  const services: IpvsService[] = [];
  const events: PoolEvent[] = [];
  const fallbackCommands: FallbackCommandRun[] = [];
  const fallbackState = new Map<string, 'start' | 'stop'>();
  const configured = new Set<string>();
  const problems: PoolProblem[] = [];
  const untouched = new Set<string>();

  for (const v of config.virtuals) {
    const id = serviceId(serviceKeyOf(v));
    if (configured.has(id)) continue; // a duplicate virtual: the first one owns the entry
    let p: VirtualPlan;
    try {
      p = planVirtual(v, config.global, health, obs.get(id), phase);
    } catch (e) {
      // A value ipvsadm would refuse (schedflags): leave this virtual's entries as they
      // are rather than stop managing every other one.
      if (!(e instanceof IpvsError)) throw e;
      problems.push({ virtualId: v.id, code: e.code, message: `${virtualLabel(serviceKeyOf(v))}: ${e.message}` });
      untouched.add(id);
      continue;
    }
    configured.add(id);
    services.push(p.service);
    events.push(...p.events);
    const status = p.anyUp ? 'stop' : 'start';
    fallbackState.set(v.id, status);
    if (options.fallbackState?.get(v.id) !== status) {
      const run = fallbackCommandOf(v, config.global, status);
      if (run) fallbackCommands.push(run);
    }
  }

  const managed = [...configured];
  for (const id of options.previousVirtualIds ?? []) {
    if (configured.has(id) || untouched.has(id)) continue;
    managed.push(id);
    const gone = obs.get(id);
    if (gone) events.push({ kind: 'virtual-purged', virtualId: id, server: undefined, message: messages.purgedVirtual('start', virtualLabel(gone.key)), alert: undefined, entry: { service: id, dest: undefined } });
  }
  return { desired: { services }, managedServiceIds: managed, events, fallbackCommands, fallbackState, problems };
}

/**
 * The reals ld_start (L2655) marks up without a check: configured, checked, and found
 * in the table with weight > 0 (service_set up, force). Seeded so, a failing check
 * counts towards failurecount and takes the real out; left unknown, the planner would
 * keep adopting the table's weight and a dead real would keep its traffic.
 */
export function adoptedReals(config: Config, observed: IpvsTable): { readonly virtualId: string; readonly realKey: string }[] {
  const services = indexTable(observed);
  const out: { virtualId: string; realKey: string }[] = [];
  for (const v of config.virtuals) {
    if (v.check.kind === 'off') continue;
    const key = serviceKeyOf(v);
    const svc = services.get(serviceId(key));
    if (!svc) continue;
    for (const real of v.reals) {
      const k = destKey({ address: canonicalAddress(real.address), port: kernelDestPort(key, real.forward, real.port) });
      const d = svc.destinations.find((x) => destKey(x) === k);
      if (d && d.weight > 0) out.push({ virtualId: v.id, realKey: realKey(real) });
    }
  }
  return out;
}

export interface ShutdownPlan {
  /** Services to delete (cleanstop=yes): ipvsadm -D removes their entries too. */
  readonly deleteServiceIds: readonly string[];
  readonly events: readonly PoolEvent[];
  readonly fallbackCommands: readonly FallbackCommandRun[];
}

/**
 * ld_stop (L2723): with cleanstop, purge the reals that were up ("Purged real server
 * (stop)") and the virtual. haldir also runs `fallbackcommand stop` for virtuals whose
 * fallback was active, which ldirectord forgets.
 */
export function planShutdown(config: Config, observed: IpvsTable, fallbackState: FallbackCommandState): ShutdownPlan {
  const obs = indexTable(observed);
  const deleteServiceIds: string[] = [];
  const events: PoolEvent[] = [];
  const fallbackCommands: FallbackCommandRun[] = [];
  for (const v of config.virtuals) {
    const key = serviceKeyOf(v);
    const have = obs.get(serviceId(key));
    if (v.cleanstop && have) {
      const vlabel = virtualLabel(key);
      for (const real of v.reals) {
        const address = canonicalAddress(real.address);
        const k = destKey({ address, port: kernelDestPort(key, real.forward, real.port) });
        const d = have.destinations.find((x) => destKey(x) === k);
        if (d && d.weight > 0) {
          const server = addrPort(address, real.port);
          const message = messages.purgedReal('stop', server, vlabel);
          events.push({ kind: 'purged', virtualId: v.id, server, message, alert: message, entry: { service: serviceId(key), dest: k } });
        }
      }
      deleteServiceIds.push(serviceId(key));
      events.push({ kind: 'virtual-purged', virtualId: v.id, server: undefined, message: messages.purgedVirtual('stop', vlabel), alert: undefined, entry: { service: serviceId(key), dest: undefined } });
    }
    if (fallbackState.get(v.id) === 'start') {
      const run = fallbackCommandOf(v, config.global, 'stop');
      if (run) fallbackCommands.push(run);
    }
  }
  return { deleteServiceIds, events, fallbackCommands };
}
