// Termination requests dropped as JSON files into <state>/requests/: each is claimed atomically (renamed
// into processing/), must be a regular file of this user, not a symbolic link, at most 64 KiB, and valid
// against the request schema; a bad one is moved aside into rejected/ with a .reason file beside it.
// A bounded number are taken per scan, so a thousand at once are worked through without a stall.
import * as fs from 'fs';
import * as path from 'path';
import type { Frame } from '../engine/frame';
import type { RequestInput, RequestReason } from './requests';
import { TERMINATION_REQUEST_SCHEMA } from './request_schema';
import { privateDir } from './paths';
import { byCodeUnits } from '../model/text_order';

const MAX_BYTES = 64 * 1024;
const PER_SCAN = 100;
const KEEP_REJECTED = 100;

type Validate = ((doc: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

let validator: Validate | null = null;

/** ajv, loaded on first use (only a daemon that sees a request file needs it). */
function validate(doc: unknown): string | null {
  if (!validator) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv2020 = (require('ajv/dist/2020') as { default: new (o: object) => { compile(s: object): Validate } }).default;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addFormats = (require('ajv-formats') as { default: (a: unknown) => void }).default;
    // strictRequired off: anyOf [{required: [session]}, {required: [pid]}] names properties defined beside it.
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(JSON.stringify(TERMINATION_REQUEST_SCHEMA)));
  }
  if (validator(doc)) return null;
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
}

export interface RequestFileOutcome {
  file: string;
  accepted: boolean;
  detail: string;
}

export class RequestFiles {
  readonly dir: string;
  private readonly processing: string;
  private readonly rejected: string;

  constructor(
    stateDir: string,
    private readonly file: (input: RequestInput, frame: Frame) => { id: string },
    private readonly log: (m: string) => void,
  ) {
    this.dir = path.join(stateDir, 'requests');
    this.processing = path.join(this.dir, 'processing');
    this.rejected = path.join(this.dir, 'rejected');
    for (const d of [this.dir, this.processing, this.rejected]) privateDir(d);
  }

  /** Take up to PER_SCAN files, resolving their targets in `frame`; returns what happened to each. */
  scan(frame: Frame): RequestFileOutcome[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: RequestFileOutcome[] = [];
    for (const name of names.filter((n) => !n.startsWith('.') && n !== 'processing' && n !== 'rejected').sort().slice(0, PER_SCAN)) {
      out.push(this.take(name, frame));
    }
    if (out.length > 0) this.pruneRejected();
    return out;
  }

  private take(name: string, frame: Frame): RequestFileOutcome {
    const src = path.join(this.dir, name);
    const claimed = path.join(this.processing, `${Date.now()}-${process.pid}-${name}`);
    // Claim it first: a rename is atomic, so a file is taken once, and a writer still writing it under
    // this name... is the writer's problem: write elsewhere and rename in, as the README says.
    try {
      fs.renameSync(src, claimed);
    } catch {
      return { file: name, accepted: false, detail: 'gone before it could be taken' };
    }
    const reject = (why: string): RequestFileOutcome => {
      // The reason is written whole under a hidden name first and renamed in last, so whoever sees a
      // .reason file (a person, a script waiting for it) finds the rejected file beside it and the whole text.
      const tmp = path.join(this.rejected, `.reason-${process.pid}.tmp`);
      try {
        const dst = path.join(this.rejected, name.slice(0, 200));
        fs.writeFileSync(tmp, why + '\n', { mode: 0o600 });
        fs.renameSync(claimed, dst);
        fs.renameSync(tmp, `${dst}.reason`);
      } catch {
        fs.rmSync(claimed, { force: true });
        fs.rmSync(tmp, { force: true });
      }
      this.log(`request file ${name} rejected: ${why}`);
      return { file: name, accepted: false, detail: why };
    };
    let fd: number;
    try {
      fd = fs.openSync(claimed, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return reject(code === 'ELOOP' ? 'a symbolic link (request files must be regular files)' : `cannot open it (${code})`);
    }
    let text: string;
    let mtimeMs: number;
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) return reject('not a regular file');
      if (st.uid !== (process.getuid?.() ?? 0)) return reject(`it belongs to uid ${st.uid}, not to this daemon's user`);
      if (st.size > MAX_BYTES) return reject(`larger than ${MAX_BYTES} bytes`);
      const buf = Buffer.alloc(st.size);
      const n = fs.readSync(fd, buf, 0, st.size, 0);
      text = buf.subarray(0, n).toString('utf8');
      mtimeMs = st.mtimeMs;
    } finally {
      fs.closeSync(fd);
    }
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      return reject(`not JSON: ${(err as Error).message}`);
    }
    let bad: string | null;
    try {
      bad = validate(doc);
    } catch (err) {
      return reject(`cannot be checked: ${(err as Error).message}`);
    }
    if (bad !== null) return reject(`invalid: ${bad}`);
    const ts = typeof doc.timestamp === 'string' ? Date.parse(doc.timestamp) : NaN;
    const input: RequestInput = {
      source: 'file',
      reason: doc.reason as RequestReason,
      session: doc.session as string | undefined,
      pid: doc.pid as number | undefined,
      pidStartTime: doc.pidStartTime as number | undefined,
      // A process that started after the request was written is not the one it meant (a reused pid).
      notAfterMs: doc.pid !== undefined ? (Number.isFinite(ts) ? ts : mtimeMs) : undefined,
      continuationCommand: (doc.continuation_command as string | null | undefined) ?? null,
      priority: doc.priority as 'graceful' | 'immediate' | undefined,
      note: (doc.note as string | null | undefined) ?? null,
    };
    try {
      const r = this.file(input, frame);
      fs.rmSync(claimed, { force: true });
      return { file: name, accepted: true, detail: r.id };
    } catch (err) {
      return reject((err as Error).message);
    }
  }

  private pruneRejected(): void {
    try {
      const files = fs
        .readdirSync(this.rejected)
        .filter((n) => !n.startsWith('.') && !n.endsWith('.reason'))
        .map((n) => ({ n, t: rejectedAt(path.join(this.rejected, n)) }))
        // Oldest rejection first; within one millisecond, in the order a scan takes them (by name).
        .sort((a, b) => a.t - b.t || byCodeUnits(a.n, b.n));
      for (const f of files.slice(0, Math.max(0, files.length - KEEP_REJECTED))) {
        fs.rmSync(path.join(this.rejected, f.n), { force: true });
        fs.rmSync(path.join(this.rejected, `${f.n}.reason`), { force: true });
      }
    } catch {
      // Best effort.
    }
  }
}

/** When a file was rejected: its .reason file's time (the file itself keeps its writer's mtime). */
function rejectedAt(file: string): number {
  try {
    return fs.statSync(`${file}.reason`).mtimeMs;
  } catch {
    return fs.lstatSync(file).mtimeMs;
  }
}
