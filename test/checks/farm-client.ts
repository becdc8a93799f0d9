// Starts test/checks/loopback-farm.js as a child process and talks to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Farm {
  readonly reals: readonly (readonly [string, number])[];
  readonly pid: number;
  setFailing(index: number, failing: boolean): void;
  /** Requests served so far. */
  count(): Promise<number>;
  /** Per failed real: ms from setFailing to the first 503 it served. */
  latency(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startFarm(octet2: number, addresses: number, portsPerAddress: number, basePort: number): Promise<Farm> {
  const script = fileURLToPath(new URL('./loopback-farm.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script, String(octet2), String(addresses), String(portsPerAddress), String(basePort)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`loopback farm exited with ${code}`)));
  });
  const reals = (JSON.parse(first) as { reals: [string, number][] }).reals;
  const waiters: { prefix: string; resolve: (rest: string) => void }[] = [];
  rl.on('line', (line) => {
    const i = waiters.findIndex((w) => line.startsWith(`${w.prefix} `));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(line.slice(line.indexOf(' ') + 1));
  });
  const ask = (cmd: string): Promise<string> =>
    new Promise<string>((resolve) => {
      waiters.push({ prefix: cmd, resolve });
      child.stdin!.write(`${cmd}\n`);
    });
  return {
    reals,
    pid: child.pid!,
    setFailing: (i, f) => child.stdin!.write(`${f ? 'fail' : 'ok'} ${i}\n`),
    count: async () => Number(await ask('count')),
    latency: async () => JSON.parse(await ask('latency')) as Record<string, number>,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}
