import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One process at a time opens an embedded (PGlite) data directory: two processes writing the same
 * files each keep their own copy in memory, so one's writes vanish (a CLI token the running server
 * never sees, gone after a restart). The lock file holds the owner's pid; a lock whose pid is dead is
 * stale and taken over.
 */
export interface LockInfo {
  pid: number;
  /** What holds it: "server" or the CLI command. */
  role: string;
  startedAt: string;
  /** Set by a server once it listens: where it serves, and its local admin socket. */
  url?: string;
  adminSocket?: string;
}

export class DataDirLockedError extends Error {
  readonly code = 'data_dir_locked';
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      holder.role === 'server'
        ? `The embedded database in ${dataDir} is in use by a running Shopdesk server (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}, started ${holder.startedAt}). ` +
            'Stop that server first, or run CLI commands while it runs: they go through its admin socket.'
        : `The embedded database in ${dataDir} is in use by another Shopdesk process (pid ${holder.pid}: ${holder.role}, started ${holder.startedAt}). Wait for it to finish.`,
    );
  }
}

export const lockPath = (dataDir: string) => join(dataDir, 'shopdesk.lock');

/** Data dirs this process holds: its own pid in a lock file is stale unless listed here. */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  // After a container restart the new server often gets the old one's pid: its own pid is not a holder.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user — still alive.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A reused pid that now belongs to something else (Linux tells us what it runs) is no holder either.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('node');
  } catch {
    return true;
  }
}

/** The live holder of a data dir's lock, or null (no lock, or a stale one). */
export function readLock(dataDir: string): LockInfo | null {
  let info: LockInfo;
  try {
    info = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
  if (info.pid === process.pid && heldHere.has(dataDir)) return info;
  return Number.isInteger(info.pid) && alive(info.pid) ? info : null;
}

export interface DataDirLock {
  update(patch: Partial<LockInfo>): void;
  release(): void;
}

/** Takes the lock or throws DataDirLockedError naming the holder. */
export function lockDataDir(dataDir: string, role: string): DataDirLock {
  const path = lockPath(dataDir);
  let info: LockInfo = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      // 'wx' fails when the file exists: two processes starting at once cannot both win.
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      heldHere.add(dataDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      const holder = readLock(dataDir);
      if (holder) throw new DataDirLockedError(dataDir, holder);
      // Stale (its process is gone, or the file is half-written garbage from a crash): take it over.
      rmSync(path, { force: true });
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // Only our own lock is removed (a stale-lock takeover by another process must not be undone).
    if (readLock(dataDir)?.pid === process.pid) rmSync(path, { force: true });
    heldHere.delete(dataDir);
  };
  process.once('exit', release);
  return {
    update(patch) {
      info = { ...info, ...patch };
      writeFileSync(path, JSON.stringify(info), { mode: 0o600 });
    },
    release() {
      process.removeListener('exit', release);
      release();
    },
  };
}
