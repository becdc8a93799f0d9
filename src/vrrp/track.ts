// track_script and track_interface (keepalived vrrp_track.c). A script is run every
// `interval` seconds without a shell; a run that exceeds `timeout` is killed and counts
// as a failure (keepalived #535: hung scripts must fail over). `fall` consecutive
// failures mark it down, `rise` consecutive successes mark it up again. Interfaces are
// polled through /sys/class/net/IF/operstate (down/lowerlayerdown/absent = down).
// Scripts run with the clean environment of src/runtime/child-env.ts.

import { readFileSync } from 'node:fs';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { childEnvironment } from '../runtime/child-env.js';
import { execFile } from '../runtime/exec.js';

export interface RiseFallState {
  up: boolean;
  okRun: number;
  failRun: number;
}

/** Pure: one result in, the new state and whether up/down flipped. */
export function riseFall(s: RiseFallState, ok: boolean, rise: number, fall: number): { state: RiseFallState; changed: boolean } {
  const okRun = ok ? s.okRun + 1 : 0;
  const failRun = ok ? 0 : s.failRun + 1;
  let up = s.up;
  if (!up && okRun >= Math.max(1, rise)) up = true;
  if (up && failRun >= Math.max(1, fall)) up = false;
  return { state: { up, okRun, failRun }, changed: up !== s.up };
}

export interface TrackScriptSpec {
  name: string;
  argv: readonly string[];
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
}

type OnChange = (name: string, ok: boolean) => void;

export class ScriptTracker {
  private state: RiseFallState = { up: true, okRun: 0, failRun: 0 };
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly spec: TrackScriptSpec,
    private readonly clock: Clock,
    private readonly onChange: OnChange,
  ) {}

  start(): void {
    void this.runOnce();
  }

  private async runOnce(): Promise<void> {
    if (this.stopped) return;
    const r = await execFile(this.spec.argv, { timeoutMs: this.spec.timeoutMs, signal: this.abort.signal, env: childEnvironment() });
    if (this.stopped) return;
    const ok = r.code === 0 && !r.timedOut && !r.error;
    const next = riseFall(this.state, ok, this.spec.rise, this.spec.fall);
    this.state = next.state;
    if (next.changed) this.onChange(this.spec.name, next.state.up);
    this.timer = this.clock.setTimeout(() => void this.runOnce(), this.spec.intervalMs);
  }

  get up(): boolean {
    return this.state.up;
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) this.clock.clearTimeout(this.timer);
  }
}

export function interfaceIsUp(ifname: string, sysRoot = '/sys/class/net'): boolean {
  try {
    const st = readFileSync(`${sysRoot}/${ifname}/operstate`, 'utf8').trim();
    if (st === 'down' || st === 'lowerlayerdown' || st === 'notpresent') return false;
    const flags = parseInt(readFileSync(`${sysRoot}/${ifname}/flags`, 'utf8').trim(), 16);
    return (flags & 1) === 1; // IFF_UP
  } catch {
    return false;
  }
}

export class InterfaceTracker {
  private up: boolean;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly ifname: string,
    private readonly clock: Clock,
    private readonly onChange: OnChange,
    private readonly pollMs = 500,
  ) {
    this.up = interfaceIsUp(ifname);
  }

  get isUp(): boolean {
    return this.up;
  }

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      const now = interfaceIsUp(this.ifname);
      if (now !== this.up) {
        this.up = now;
        this.onChange(this.ifname, now);
      }
      this.timer = this.clock.setTimeout(tick, this.pollMs);
    };
    this.timer = this.clock.setTimeout(tick, this.pollMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
  }
}
