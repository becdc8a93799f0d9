// Worker thread body for regex-pool.ts: compiles (cached) and runs one match at a time.
// It holds no other state, so the pool may terminate it mid-match (V8 interrupts a
// running regex on terminate) and start a fresh one.
import { parentPort } from 'node:worker_threads';

export interface MatchRequest {
  readonly id: number;
  readonly source: string;
  readonly flags: string;
  readonly text: string;
}

/** id 0: the worker is loaded and listening (the pool starts budgets only after it). */
export interface MatchReply {
  readonly id: number;
  readonly matched: boolean;
}

const compiled = new Map<string, RegExp>();

function regexFor(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (!re) {
    if (compiled.size >= 256) compiled.clear();
    // a pattern JS cannot compile never reaches here (compilePerlRegex threw first); match nothing if it does
    try {
      re = new RegExp(source, flags.replace(/[gy]/g, ''));
    } catch {
      re = /(?!)/;
    }
    compiled.set(key, re);
  }
  return re;
}

parentPort?.on('message', (m: MatchRequest) => {
  const reply: MatchReply = { id: m.id, matched: regexFor(m.source, m.flags).test(m.text) };
  parentPort!.postMessage(reply);
});
parentPort?.postMessage({ id: 0, matched: false } satisfies MatchReply);
