// The soak bench: `node dist/bench/soak-bench.js [--minutes 30] [--healthy-addresses 40]
// [--ports 40] [--hostile-per-kind 80] [--interval 10] [--timeout 5] [--sample 15]`.
// Defaults: 30 minutes, 1,600 healthy + 400 hostile reals (80 each blackholed, never
// answering, endless body, stalled TLS, regex bomb), ldirectord's default checkinterval
// 10 s and checktimeout 5 s. Needs root for the blackholed kind
// (network namespace); without root a fifth silent kind stands in. Prints samples as it
// goes and a summary; exits 1 when memory is not flat or a check went wrong.
import { percentile, runSoak } from './soak.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const minutes = arg('minutes', 30);
const r = await runSoak({
  seconds: minutes * 60,
  healthyAddresses: arg('healthy-addresses', 40),
  portsPerAddress: arg('ports', 40),
  hostilePerKind: arg('hostile-per-kind', 80),
  intervalS: arg('interval', 10),
  timeoutS: arg('timeout', 5),
  sampleMs: arg('sample', 15) * 1000,
  flatThresholdMb: arg('flat-mb', 20),
  progress: (l) => console.log(l),
});
const d = r.detectionsMs;
console.log('\nsummary');
console.log(`  reals ${r.reals}, hostile ${JSON.stringify(r.hostile)}, all healthy up after ${r.allUpS.toFixed(1)} s`);
console.log(`  RSS ${r.samples[0]?.rssMb.toFixed(1)} MB at start, ${r.samples.at(-1)?.rssMb.toFixed(1)} MB at end, max ${Math.max(...r.samples.map((s) => s.rssMb)).toFixed(1)} MB`);
console.log(`  RSS slope over the second half ${r.rssSlopeMbPerMin.toFixed(3)} MB/min, fitted rise ${r.rssRiseSecondHalfMb.toFixed(1)} MB: ${r.flat ? 'flat' : 'NOT flat'}`);
console.log(`  open fds max ${r.fdsMaxFirstHalf} (first half), ${r.fdsMaxSecondHalf} (second half)`);
console.log(`  detection ${d.length} flips: p50 ${percentile(d, 50).toFixed(0)} ms, p95 ${percentile(d, 95).toFixed(0)} ms, max ${Math.max(...d).toFixed(0)} ms; missed ${r.missedDetections}`);
console.log(`  spurious downs of healthy reals ${r.spuriousDowns} ${JSON.stringify(r.spuriousWhy)}, hostile reals ever up ${r.hostileUps}, warnings logged ${r.warnings}`);
console.log(`  checker CPU ${(r.samples.reduce((s, x) => s + x.cpu, 0) / Math.max(1, r.samples.length)).toFixed(2)} cores on average`);
console.log(`  checks run ${r.samples.at(-1)?.probes}`);
process.exit(r.flat && r.missedDetections === 0 && r.spuriousDowns === 0 && r.hostileUps === 0 ? 0 : 1);
