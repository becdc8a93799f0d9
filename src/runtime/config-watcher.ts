// Autoreload without polling delay. ldirectord stats the file once per checkinterval
// (check_cfgfile, L4425: mtime, then MD5); haldir watches the *directory* with inotify
// (fs.watch) so editors that save by writing a temp file and renaming it over the
// original are seen too, and compares a content hash so a bare `touch` does nothing.
// A slow safety poll covers file systems where inotify says nothing (NFS, some overlays).
//
// A file written in place is read only once it has settled: unchanged (same inode,
// size, mtime and ctime) for a quiet period after the last write. An editor or a
// config-management tool that truncates and then writes, or writes in several write()s,
// is never read half-way. A rename into place (IN_MOVED_TO; `mv tmp ldirectord.cf`, what
// editors and `install` do) replaces the whole file at once, so it is read at once.
import { watch, readFileSync, statSync, type FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { Clock, TimerHandle } from './clock.js';

export function contentHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Quiet period after the last in-place write before the file is read (ms). */
export const DEFAULT_SETTLE_MS = 500;

export interface ConfigWatcherOptions {
  readonly clock: Clock;
  /** Hash of the content already applied, so the first event compares against it. */
  readonly initialHash: string | undefined;
  /** Quiet time after the last event before reading (editors write in bursts). */
  readonly debounceMs?: number;
  /** Quiet period an in-place write must settle for (default DEFAULT_SETTLE_MS). */
  readonly settleMs?: number;
  /** Safety poll interval; 0 disables. */
  readonly pollMs?: number;
  /** Told once per burst of in-place writes that the file is left to settle first. */
  readonly onSettling?: (quietMs: number) => void;
}

/** What fs.watch reported: 'rename' is a create, delete or move; 'change' a write or attribute change. */
export type WatchEvent = 'rename' | 'change';

/** The file's identity and last-change stamps; undefined when it does not exist. */
export function fileSignature(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/**
 * The settle rule, pure: after the quiet period, read when the file has not changed
 * since the last event ('read'), else wait another quiet period ('wait'). A pending
 * rename (the file replaced whole) is read at once.
 */
export function decideSettle(pending: WatchEvent, sigAtEvent: string | undefined, sigNow: string | undefined): 'read' | 'wait' {
  if (pending === 'rename') return 'read';
  return sigAtEvent === sigNow ? 'read' : 'wait';
}

export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private timer: TimerHandle | undefined;
  private poll: TimerHandle | undefined;
  private lastHash: string | undefined;
  /** The strongest event since the last read: a rename wins (the file was replaced whole). */
  private pending: WatchEvent | undefined;
  private sigAtEvent: string | undefined;
  /** The signature of the file as last read (the poll compares against it). */
  private sigRead: string | undefined;
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly onChange: (text: string, hash: string) => void,
    private readonly opts: ConfigWatcherOptions,
  ) {
    this.lastHash = opts.initialHash;
    // unknown until the first read: the first poll reads the file once, so a change
    // made between loading the config and starting the watcher is not missed
    this.sigRead = undefined;
  }

  private get settleMs(): number {
    return this.opts.settleMs ?? DEFAULT_SETTLE_MS;
  }

  start(): void {
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (event, filename) => {
        // filename can be null on some platforms: then check anyway.
        if (filename === null || filename === name || String(filename) === name) this.event(event === 'rename' ? 'rename' : 'change');
      });
      this.watcher.on('error', () => this.event('change'));
    } catch {
      this.watcher = undefined; // directory not watchable: the poll still works
    }
    this.armPoll();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    if (this.poll) this.opts.clock.clearTimeout(this.poll);
  }

  private armPoll(): void {
    const ms = this.opts.pollMs ?? 1000;
    if (ms <= 0 || this.stopped) return;
    this.poll = this.opts.clock.setTimeout(() => {
      // a change inotify did not report goes through the same settle rule
      if (!this.timer && fileSignature(this.path) !== this.sigRead) this.event('change', false);
      this.armPoll();
    }, ms);
  }

  /** An inotify event (or a poll that saw the file differ: `notify` false) for the config file. */
  event(kind: WatchEvent, notify = true): void {
    if (this.stopped) return;
    const fresh = this.pending === undefined;
    // A write after a rename (create, then write) must settle; a rename after writes
    // replaced the file whole. The latest event decides.
    this.pending = kind;
    this.sigAtEvent = fileSignature(this.path);
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    if (kind === 'change' && fresh && notify) this.opts.onSettling?.(this.settleMs);
    const wait = kind === 'rename' ? (this.opts.debounceMs ?? 15) : this.settleMs;
    this.timer = this.opts.clock.setTimeout(() => this.settled(), wait);
  }

  private settled(): void {
    this.timer = undefined;
    if (this.stopped || this.pending === undefined) return;
    const now = fileSignature(this.path);
    if (decideSettle(this.pending, this.sigAtEvent, now) === 'wait') {
      // written again after the last event we saw (its event is still on the way, or the
      // loop was busy): start the quiet period over
      this.sigAtEvent = now;
      this.timer = this.opts.clock.setTimeout(() => this.settled(), this.settleMs);
      return;
    }
    this.pending = undefined;
    this.check();
  }

  /** Reads the file; calls onChange when its content differs from the last seen one. */
  check(): void {
    if (this.stopped) return;
    const sig = fileSignature(this.path);
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return; // mid-rename or deleted: the next event or poll will see the new file
    }
    this.sigRead = sig;
    const h = contentHash(text);
    if (h === this.lastHash) return;
    this.lastHash = h;
    this.onChange(text, h);
  }
}
