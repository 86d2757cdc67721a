// The daemon's control API on its Unix socket: one JSON object per line each way (docs/api.md).
// A request names a method and its params; the answer carries the same id and either a result or an error.

export interface Request {
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

/** Error codes; the CLI maps them to exit statuses (not-found and name-taken: 3, cannot-start: 1, bad-request: 2). */
export type ErrorCode = 'bad-request' | 'unknown-method' | 'not-found' | 'name-taken' | 'cannot-start' | 'refused' | 'busy' | 'internal';

export interface Response {
  id: number;
  result?: unknown;
  error?: { code: ErrorCode; message: string };
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A line longer than this is refused (and the connection closed): no client can make the daemon hold more. */
export const MAX_LINE_BYTES = 1024 * 1024;

export const API_VERSION = 1;

/** Split a stream of bytes into lines; refuses a line over the limit. */
export class LineSplitter {
  private buf = '';
  constructor(private readonly onLine: (line: string) => void) {}

  /** False when a line is too long (the caller closes the connection). */
  push(chunk: string): boolean {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.trim() !== '') this.onLine(line);
    }
    return Buffer.byteLength(this.buf) <= MAX_LINE_BYTES;
  }
}
