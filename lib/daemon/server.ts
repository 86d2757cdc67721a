// The control API's server: a Unix socket in a private directory, serving only its own user (the peer's
// uid from SO_PEERCRED), one JSON request per line, handlers by method name.
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { peerCredentials } from '../native';
import { privateDir } from './paths';
import { ApiError, LineSplitter, Request, Response } from './protocol';

export type Handler = (params: Record<string, unknown>, peer: { pid: number; uid: number }) => Promise<unknown> | unknown;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** The fd of a connected socket (for SO_PEERCRED); Node keeps it on the internal handle. */
function fdOf(socket: net.Socket): number | null {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/**
 * Listen on `socketPath` (its directory made private first). A connection from another uid is answered
 * with one error line and closed.
 */
export async function startControlServer(socketPath: string, handlers: Record<string, Handler>, log: (m: string) => void): Promise<ControlServer> {
  privateDir(path.dirname(socketPath));
  const uid = process.getuid?.() ?? 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const fd = fdOf(socket);
    const peer = fd === null ? null : peerCredentials(fd);
    if (!peer || peer.uid !== uid) {
      const who = peer ? `uid ${peer.uid}` : 'an unknown peer';
      log(`refused a connection from ${who} (this daemon serves uid ${uid} only)`);
      socket.end(JSON.stringify({ id: 0, error: { code: 'refused', message: `this spmon daemon serves uid ${uid} only` } } satisfies Response) + '\n');
      return;
    }
    socket.setEncoding('utf8');
    const lines = new LineSplitter((line) => {
      let req: Request;
      try {
        req = JSON.parse(line) as Request;
        if (typeof req !== 'object' || req === null || typeof req.method !== 'string') throw new Error('not a request');
      } catch {
        write({ id: 0, error: { code: 'bad-request', message: 'each line must be a JSON object {"id", "method", "params"}' } });
        return;
      }
      const id = typeof req.id === 'number' ? req.id : 0;
      const handler = Object.prototype.hasOwnProperty.call(handlers, req.method) ? handlers[req.method] : undefined;
      if (!handler) {
        write({ id, error: { code: 'unknown-method', message: `no method "${String(req.method).slice(0, 64)}"` } });
        return;
      }
      const params = req.params && typeof req.params === 'object' && !Array.isArray(req.params) ? req.params : {};
      Promise.resolve()
        .then(() => handler(params, { pid: peer.pid, uid: peer.uid }))
        .then(
          (result) => write({ id, result: result ?? null }),
          (err: unknown) => {
            if (err instanceof ApiError) write({ id, error: { code: err.code, message: err.message } });
            else {
              log(`internal error in ${req.method}: ${(err as Error)?.stack ?? String(err)}`);
              write({ id, error: { code: 'internal', message: (err as Error)?.message ?? String(err) } });
            }
          },
        );
    });
    const write = (r: Response) => {
      if (!socket.destroyed) socket.write(JSON.stringify(r) + '\n');
    };
    socket.on('data', (chunk: string) => {
      if (!lines.push(chunk)) {
        write({ id: 0, error: { code: 'bad-request', message: 'request line too long' } });
        socket.end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  try {
    fs.chmodSync(socketPath, 0o600);
  } catch {
    // The directory is 0700 already.
  }
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        try {
          fs.unlinkSync(socketPath);
        } catch {
          // Already gone.
        }
      }),
  };
}
