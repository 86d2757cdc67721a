// Answers from the running daemon, over its control API (lib/daemon/client.ts). The daemon knows the
// caller by the socket's peer credentials: this process, whose session is "mine".
import type { DaemonClient } from '../daemon/client';
import type { Backend } from './backend';

export class DaemonBackend implements Backend {
  readonly kind = 'daemon' as const;
  constructor(readonly client: DaemonClient) {}

  get isOpen(): boolean {
    return this.client.isOpen;
  }

  call<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    return this.client.request<T>(method, params, timeoutMs);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
