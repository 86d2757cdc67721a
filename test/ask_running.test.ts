// askRunning (lib/daemon/client.ts): one request to a daemon that already runs. The connect is short (no daemon
// is an answer, quickly); the request waits as long as any request does, so that a daemon busy for a second
// (a reload reading its config, a slow disk) is not taken for one that refused.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { askRunning } from '../lib/daemon/client';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-ask-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * A server on a private socket that answers each request line with `result` after `delayMs`. `close` ends it
 * whole: its connections, and the answers still waiting (a timer left behind kept jest's worker alive after
 * the last test).
 */
async function slowServer(socket: string, delayMs: number, result: unknown): Promise<{ close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const conns = new Set<net.Socket>();
  const server = net.createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const { id } = JSON.parse(buf.slice(0, i)) as { id: number };
        buf = buf.slice(i + 1);
        const t = setTimeout(() => {
          timers.delete(t);
          c.write(JSON.stringify({ id, result }) + '\n');
        }, delayMs);
        timers.add(t);
      }
    });
    c.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    close: () => {
      for (const t of timers) clearTimeout(t);
      for (const c of conns) c.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('a daemon that takes 1.5 s to answer is answered, not taken for one that failed', async () => {
  const socket = path.join(dir, 'daemon.sock');
  const server = await slowServer(socket, 1500, { pid: 4242 });
  try {
    await expect(askRunning(socket, 'reload')).resolves.toEqual({ pid: 4242 });
    // A caller that cannot wait says so.
    await expect(askRunning(socket, 'reload', {}, { requestMs: 200 })).rejects.toThrow(/did not answer reload within 200 ms/);
  } finally {
    await server.close();
  }
});

test('no daemon on the socket: null', async () => {
  await expect(askRunning(path.join(dir, 'none.sock'), 'status')).resolves.toBeNull();
});
