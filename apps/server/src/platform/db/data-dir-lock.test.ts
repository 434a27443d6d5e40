import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, lockPath, readLock } from './data-dir-lock.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shopdesk-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('data dir lock', () => {
  it('a live holder is named in the refusal; release frees the dir', () => {
    const lock = lockDataDir(dir, 'server');
    lock.update({ url: 'http://localhost:4567' });
    // A live pid that is not ours: the test runner's parent.
    writeFileSync(
      lockPath(dir),
      JSON.stringify({ ...JSON.parse(readFileSync(lockPath(dir), 'utf8')), pid: process.ppid }),
    );
    let err: unknown;
    try {
      lockDataDir(dir, 'shopdesk seed');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as Error).message).toContain(
      `in use by a running Shopdesk server (pid ${process.ppid}, http://localhost:4567`,
    );
    // Not ours any more (another pid wrote it): release leaves it alone.
    lock.release();
    expect(existsSync(lockPath(dir))).toBe(true);
  });

  it('a lock left by a dead process is stale: taken over, and released on close', () => {
    writeFileSync(
      lockPath(dir),
      JSON.stringify({ pid: deadPid(), role: 'server', startedAt: '2026-01-01T00:00:00Z' }),
    );
    expect(readLock(dir)).toBeNull();
    const lock = lockDataDir(dir, 'shopdesk migrate');
    expect(readLock(dir)).toMatchObject({ pid: process.pid, role: 'shopdesk migrate' });
    lock.release();
    expect(existsSync(lockPath(dir))).toBe(false);
    // Our own pid, left by an earlier process that had it (a restarted container): stale.
    writeFileSync(
      lockPath(dir),
      JSON.stringify({ pid: process.pid, role: 'server', startedAt: '2026-01-01T00:00:00Z' }),
    );
    expect(readLock(dir)).toBeNull();
    const again = lockDataDir(dir, 'server');
    // While this process holds it, a second open here is refused like any other.
    expect(() => lockDataDir(dir, 'server')).toThrow(DataDirLockedError);
    again.release();
    // A half-written lock (crash between create and write) is stale too.
    writeFileSync(lockPath(dir), '{"pi');
    lockDataDir(dir, 'server').release();
  });
});
