// Opening files that other users may control. spmon may run as root next to them, so every open is
// O_NOFOLLOW | O_NONBLOCK and only regular files are read: a symlink in place of a log is never followed,
// a FIFO never blocks, a device is never read.
import * as fs from 'fs';

export type ReadStatus =
  /** New data was read (maybe not all of it: see LogReader.caughtUp). */
  | 'read'
  /** Same file, same size, same mtime: nothing was opened. */
  | 'unchanged'
  /** The file is gone (ENOENT / ENOTDIR). */
  | 'missing'
  /** A symlink, FIFO, socket, device or directory: not read. */
  | 'not-regular'
  /** Any other error (EACCES, EIO, ...). */
  | 'error';

/** Identity and size of an open file, from fstat (or lstat, for the cheap "unchanged" check). */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/**
 * Opens a regular file without following a symlink and without blocking on a FIFO; null with the reason
 * when it is not one. The caller closes the fd.
 */
export function openRegular(path: string): { fd: number; stat: fs.Stats } | { fd: null; status: ReadStatus } {
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { fd: null, status: 'missing' };
    // ELOOP: the last component is a symlink (O_NOFOLLOW). ENXIO: a FIFO or socket with no writer.
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') return { fd: null, status: 'not-regular' };
    return { fd: null, status: 'error' };
  }
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch {
    fs.closeSync(fd);
    return { fd: null, status: 'error' };
  }
  if (!stat.isFile()) {
    fs.closeSync(fd);
    return { fd: null, status: 'not-regular' };
  }
  return { fd, stat };
}

export function identityOf(st: fs.Stats): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

/** lstat without throwing; null when the path is gone or unreadable. */
export function lstatQuiet(path: string): fs.Stats | null {
  try {
    return fs.lstatSync(path);
  } catch {
    return null;
  }
}

/** The cheap check before opening: same inode, size and mtime as `known`. */
export function unchangedSince(st: fs.Stats, known: FileIdentity): boolean {
  return st.dev === known.dev && st.ino === known.ino && st.size === known.size && st.mtimeMs === known.mtimeMs;
}
