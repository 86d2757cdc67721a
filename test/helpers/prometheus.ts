// A real Prometheus (Debian's `prometheus` package) for the live metrics tests: its own config, data
// directory and loopback port, queried through its HTTP API, ended by its pid.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { freePort, get } from './metrics_http';

export interface Prometheus {
  url: string;
  pid: number;
  /** An instant query: the vector's samples as { metric labels, value }. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** Poll `expr` until `ok` holds for its result, or fail after `timeoutMs` naming the last result. */
  waitFor(expr: string, ok: (r: { metric: Record<string, string>; value: number }[]) => boolean, timeoutMs: number): Promise<{ metric: Record<string, string>; value: number }[]>;
  log(): string;
  stop(): Promise<void>;
}

/** Start Prometheus in `dir` with a 1 s scrape and evaluation interval, these scrape configs (YAML text) and rule files. */
export async function startPrometheus(dir: string, scrapeConfigs: string, ruleFiles: string[] = []): Promise<Prometheus> {
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const config = path.join(dir, 'prometheus.yml');
  const rules = ruleFiles.length ? `rule_files:\n${ruleFiles.map((f) => `  - ${f}\n`).join('')}` : '';
  fs.writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n${rules}scrape_configs:\n${scrapeConfigs}`);
  const port = await freePort();
  const logFile = path.join(dir, 'prometheus.log');
  const out = fs.openSync(logFile, 'w');
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', out, out], cwd: dir },
  );
  fs.closeSync(out);
  let exited = false;
  const done = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const url = `http://127.0.0.1:${port}`;
  const log = () => fs.readFileSync(logFile, 'utf8');
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    const t = setTimeout(() => !exited && child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(t);
  };
  const query = async (expr: string) => {
    const r = await get(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const doc = JSON.parse(r.body) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (doc.status !== 'success') throw new Error(`query ${expr}: ${doc.error}`);
    return doc.data.result.map((x) => ({ metric: x.metric, value: Number(x.value[1]) }));
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`prometheus exited at start:\n${log()}`);
    try {
      if ((await get(`${url}/-/ready`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    query,
    log,
    stop,
    async waitFor(expr, ok, timeoutMs) {
      const end = Date.now() + timeoutMs;
      let last: { metric: Record<string, string>; value: number }[] = [];
      for (;;) {
        last = await query(expr);
        if (ok(last)) return last;
        if (Date.now() > end) throw new Error(`after ${timeoutMs} ms, ${expr} gave ${JSON.stringify(last)}; prometheus log:\n${log().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
  };
}
