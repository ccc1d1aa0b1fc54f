import { describe, expect, it } from 'vitest';
import { LocalHost } from './local.js';
import { endPhpSessions, phpRequest, renamePhpSession, requestLoopPhp } from './php-session.js';

// Plain PHP stands in for a platform's loader: the loop is the same one MediaWiki's and WordPress's sessions run.
const start = () => ({ argv: ['php', '-r', requestLoopPhp('$ferry_requests = ($ferry_requests ?? 0) + 1;')] });
const ask = (host: LocalHost, code: string, key = 'test:a') => phpRequest(host, key, start, code);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('PHP session (one process answering requests)', () => {
  it('answers requests in order from one process, keeps state, survives an exception, restarts after exit()', async () => {
    const host = new LocalHost();
    try {
      const first = await ask(host, 'echo "pid=" . getmypid(); $kept = 41;');
      expect(first?.code).toBe(0);
      const pid = Number(/pid=(\d+)/.exec(first!.stdout)?.[1]);
      expect(pid).toBeGreaterThan(0);
      // Asked at once: answered one after the other, by the same process, with the state of the earlier requests.
      const [second, third] = await Promise.all([ask(host, 'echo "pid=" . getmypid() . " kept=" . ($kept + 1);'), ask(host, 'echo "n=" . $ferry_requests;')]);
      expect(second?.stdout).toContain(`pid=${pid} kept=42`);
      expect(third?.stdout).toContain('n=3');

      const thrown = await ask(host, 'throw new RuntimeException("no such table");');
      expect(thrown).toMatchObject({ code: 1, stderr: 'RuntimeException: no such table' });
      expect((await ask(host, 'echo getmypid();'))?.stdout.trim()).toBe(String(pid));

      // exit() ends the process: its code and output answer the request, as a one-shot run's would.
      const exited = await ask(host, 'echo "partial"; exit(3);');
      expect(exited).toMatchObject({ code: 3 });
      expect(exited?.stdout).toContain('partial');
      const after = await ask(host, 'echo getmypid();');
      expect(after?.code).toBe(0);
      expect(Number(after?.stdout.trim())).not.toBe(pid);

      // Ended on request: the next one starts another process.
      const before = Number(after?.stdout.trim());
      await endPhpSessions(host, 'test:');
      expect(isAlive(before)).toBe(false);
      expect(Number((await ask(host, 'echo getmypid();'))?.stdout.trim())).not.toBe(before);
    } finally {
      await host.close();
    }
  });

  it('a session filed under another key answers there with its state; the one it replaces ends', async () => {
    const host = new LocalHost();
    try {
      const probe = Number((await ask(host, 'echo getmypid(); $kept = "from the probe";', 'probe:1'))?.stdout.trim());
      const older = Number((await ask(host, 'echo getmypid();', 'test:final'))?.stdout.trim());
      await renamePhpSession(host, 'probe:1', 'test:final');
      expect(isAlive(older)).toBe(false);
      const answer = await ask(host, 'echo getmypid() . " " . $kept;', 'test:final');
      expect(answer?.stdout.trim()).toBe(`${probe} from the probe`);
      // Nothing is left under the old key: a request there starts a process of its own.
      expect(Number((await ask(host, 'echo getmypid();', 'probe:1'))?.stdout.trim())).not.toBe(probe);
    } finally {
      await host.close();
    }
  });

  it('ends its processes when the host closes; separate keys get separate processes', async () => {
    const host = new LocalHost();
    const a = Number((await ask(host, 'echo getmypid();', 'test:a'))?.stdout.trim());
    const b = Number((await ask(host, 'echo getmypid();', 'test:b'))?.stdout.trim());
    expect(a).not.toBe(b);
    expect(isAlive(a) && isAlive(b)).toBe(true);
    await host.close();
    expect(isAlive(a) || isAlive(b)).toBe(false);
  });

  it('a host that cannot end a session gets none (the caller runs PHP once per request)', async () => {
    const host = new LocalHost();
    const bare = Object.assign(Object.create(Object.getPrototypeOf(host) as object) as LocalHost, { onClose: undefined });
    expect(await phpRequest(bare, 'test:a', start, 'echo 1;')).toBeUndefined();
  });
});
