// Autoreload without polling delay. ldirectord stats the file once per checkinterval
// (check_cfgfile, L4425: mtime, then MD5); haldir watches the *directory* with inotify
// (fs.watch) so editors that save by writing a temp file and renaming it over the
// original are seen too, and compares a content hash so a bare `touch` does nothing.
// A slow safety poll covers file systems where inotify says nothing (NFS, some overlays).
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { Clock, TimerHandle } from './clock.js';

export function contentHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface ConfigWatcherOptions {
  readonly clock: Clock;
  /** Hash of the content already applied, so the first event compares against it. */
  readonly initialHash: string | undefined;
  /** Quiet time after the last event before reading (editors write in bursts). */
  readonly debounceMs?: number;
  /** Safety poll interval; 0 disables. */
  readonly pollMs?: number;
}

export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private debounce: TimerHandle | undefined;
  private poll: TimerHandle | undefined;
  private lastHash: string | undefined;
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly onChange: (text: string, hash: string) => void,
    private readonly opts: ConfigWatcherOptions,
  ) {
    this.lastHash = opts.initialHash;
  }

  start(): void {
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, filename) => {
        // filename can be null on some platforms: then check anyway.
        if (filename === null || filename === name || String(filename) === name) this.schedule();
      });
      this.watcher.on('error', () => this.schedule());
    } catch {
      this.watcher = undefined; // directory not watchable: the poll still works
    }
    this.armPoll();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce) this.opts.clock.clearTimeout(this.debounce);
    if (this.poll) this.opts.clock.clearTimeout(this.poll);
  }

  private armPoll(): void {
    const ms = this.opts.pollMs ?? 1000;
    if (ms <= 0 || this.stopped) return;
    this.poll = this.opts.clock.setTimeout(() => {
      this.check();
      this.armPoll();
    }, ms);
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.debounce) this.opts.clock.clearTimeout(this.debounce);
    this.debounce = this.opts.clock.setTimeout(() => {
      this.debounce = undefined;
      this.check();
    }, this.opts.debounceMs ?? 15);
  }

  /** Reads the file; calls onChange when its content differs from the last seen one. */
  check(): void {
    if (this.stopped) return;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return; // mid-rename or deleted: the next event or poll will see the new file
    }
    const h = contentHash(text);
    if (h === this.lastHash) return;
    this.lastHash = h;
    this.onChange(text, h);
  }
}
