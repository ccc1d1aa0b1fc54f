import { describe, expect, it } from 'vitest';
import { runOwnerAlive, ownedHere, SILENT_AFTER_MS, thisHost } from './run-owner.js';

describe('runOwnerAlive', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();

  it('on this machine, the pid decides, whatever the heartbeat', () => {
    expect(runOwnerAlive({ pid: process.pid, host: thisHost(), heartbeatAt: ago(10 * SILENT_AFTER_MS) }, now)).toBe(true);
    // A pid far above any the kernel hands out (pid_max is at most 2^22).
    expect(runOwnerAlive({ pid: 2 ** 30, host: thisHost(), heartbeatAt: ago(0) }, now)).toBe(false);
  });

  it('runs recorded before Ferry kept the host are taken as local', () => {
    expect(runOwnerAlive({ pid: process.pid, host: null, heartbeatAt: null }, now)).toBe(true);
    expect(runOwnerAlive({ pid: 2 ** 30, heartbeatAt: null }, now)).toBe(false);
  });

  it('on another machine, a recent heartbeat means alive and a silent one dead, even when the pid exists here', () => {
    const other = `${thisHost()}-elsewhere`;
    expect(runOwnerAlive({ pid: 2 ** 30, host: other, heartbeatAt: ago(SILENT_AFTER_MS / 4) }, now)).toBe(true);
    expect(runOwnerAlive({ pid: process.pid, host: other, heartbeatAt: ago(SILENT_AFTER_MS + 1000) }, now)).toBe(false);
    expect(runOwnerAlive({ pid: process.pid, host: other, heartbeatAt: null }, now)).toBe(false);
  });

  it('a run without a pid has no owner', () => {
    expect(runOwnerAlive({ pid: null, host: thisHost(), heartbeatAt: ago(0) }, now)).toBe(false);
  });

  it('ownedHere needs both this pid and this machine', () => {
    expect(ownedHere({ pid: process.pid, host: thisHost() })).toBe(true);
    expect(ownedHere({ pid: process.pid, host: null })).toBe(true);
    expect(ownedHere({ pid: process.pid, host: `${thisHost()}-elsewhere` })).toBe(false);
    expect(ownedHere({ pid: process.pid + 1, host: thisHost() })).toBe(false);
  });
});
