// MCP over stdio, as the SDK's StdioServerTransport does it, with two differences: each message is
// written as `spmon --json` writes JSON (toSafeJson: no raw DEL, C1 or bidi character reaches the client's
// terminal or log, though the parsed values are exactly what processes said), and the end of stdin, or a
// stdout that can no longer be written, closes the transport (the SDK's waits forever).
import { ReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { toSafeJson } from '../view/sanitize';

export class SafeStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream,
    private readonly stdout: NodeJS.WritableStream,
  ) {}

  private readonly onData = (chunk: Buffer) => {
    this.buffer.append(chunk);
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (err) {
        // A line that is not a JSON-RPC message: reported, and the next line is read.
        this.onerror?.(err as Error);
        continue;
      }
      if (message === null) break;
      this.onmessage?.(message);
    }
  };
  private readonly onEnd = () => void this.close();
  private readonly onOutError = () => {
    // EPIPE: the client is gone; nothing more can be written.
    this.outClosed = true;
    void this.close();
  };
  private outClosed = false;

  async start(): Promise<void> {
    this.stdin.on('data', this.onData);
    this.stdin.on('end', this.onEnd);
    this.stdin.on('close', this.onEnd);
    this.stdin.on('error', this.onEnd);
    this.stdout.on('error', this.onOutError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    // After a close the answers of calls still under way are written while stdout takes them.
    if (this.outClosed) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        if (this.stdout.write(toSafeJson(message) + '\n')) resolve();
        else this.stdout.once('drain', () => resolve());
      } catch {
        resolve();
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('end', this.onEnd);
    this.stdin.off('close', this.onEnd);
    this.buffer.clear();
    this.onclose?.();
  }
}
