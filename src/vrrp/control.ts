// `haldir-vrrp status -v` talks to the running daemon over the shared control socket
// (src/runtime/control-socket.ts) beside the pid file (haldir-vrrp.CFGNAME.sock, mode 0600).
import { ControlServer, controlRequest } from '../runtime/control-socket.js';

export async function serveStatus(path: string, status: () => unknown): Promise<ControlServer> {
  const srv = new ControlServer(path, () => status());
  await srv.listen();
  return srv;
}

export async function queryStatus(path: string, timeoutMs = 3000): Promise<unknown> {
  try {
    return await controlRequest(path, { cmd: 'status' }, timeoutMs, 'haldir-vrrp');
  } catch (e) {
    throw new Error(`VRRP-STATUS: ${(e as Error).message}`);
  }
}
