// Where `spmon mcp` gets its answers: the daemon (one engine for every client) or an engine of its own.
// Both answer the control API's frame methods (lib/daemon/frame_api.ts) with the same JSON; only the
// daemon runs supervised sessions, keeps their output and takes termination requests.

export type BackendKind = 'daemon' | 'in-process';

export interface Backend {
  readonly kind: BackendKind;
  /** A control API method (docs/api.md) with its params; rejects with the API's error. */
  call<T>(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** What was asked needs the daemon (supervised sessions, their output, termination requests) and none answers. */
export class NeedsDaemonError extends Error {}
