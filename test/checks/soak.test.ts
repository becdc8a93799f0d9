// The soak bench (bench/soak.ts) in small: 100 reals, a fifth hostile (blackholed --
// root only, else silent --, never answering, endless body, stalled TLS, regex bomb),
// checked every second for 50 s. Memory and descriptors must stay flat (loosely: a leak
// of one endless body per check would add ~4 MB a second), every failing healthy real
// must be detected, no healthy real may drop, no hostile real may come up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, runSoak } from '../../bench/soak.js';

describe('soak (short)', () => {
  it('keeps RSS and open descriptors flat and detects failures with a fifth of the reals hostile', async () => {
    const lines: string[] = [];
    const r = await runSoak({
      seconds: 50,
      healthyAddresses: 4,
      portsPerAddress: 20,
      hostilePerKind: 4,
      intervalS: 1,
      timeoutS: 1,
      sampleMs: 2000,
      flatThresholdMb: 60,
      progress: (l) => lines.push(l),
    });
    const why = `\n${lines.join('\n')}`;
    assert.equal(r.reals, 100);
    assert.equal(r.hostileUps, 0, `hostile reals reported up${why}`);
    assert.equal(r.spuriousDowns, 0, `healthy reals went down unasked${why}`);
    assert.ok(r.detectionsMs.length >= 5, `only ${r.detectionsMs.length} failures detected${why}`);
    assert.ok(r.missedDetections <= 1, `${r.missedDetections} failures not detected within interval + timeout + 5 s${why}`);
    assert.ok(percentile(r.detectionsMs, 50) < 4000, `median detection ${percentile(r.detectionsMs, 50)} ms${why}`);
    assert.ok(r.flat, `RSS rose ${r.rssRiseSecondHalfMb.toFixed(1)} MB over the second half${why}`);
    assert.ok(r.fdsMaxSecondHalf <= r.fdsMaxFirstHalf * 1.5 + 50, `fds ${r.fdsMaxFirstHalf} -> ${r.fdsMaxSecondHalf}${why}`);
    assert.ok(r.warnings >= 1 && r.warnings <= 4, `the regex-bomb reals are logged once each, got ${r.warnings}${why}`);
  });
});
