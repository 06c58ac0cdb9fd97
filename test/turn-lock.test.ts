import { describe, expect, it } from 'vitest';
import { TurnLock } from '../src/bots/turnLock';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('TurnLock', () => {
  it('runs turns of one conversation one after another, in arrival order, and others in parallel', async () => {
    const lock = new TurnLock();
    const log: string[] = [];
    const turn = (conv: string, name: string, ms: number) =>
      lock.run(conv, async () => {
        log.push(`+${name}`);
        await tick(ms);
        log.push(`-${name}`);
      });
    await Promise.all([turn('a', 'a1', 20), turn('a', 'a2', 1), turn('b', 'b1', 1), turn('a', 'a3', 1)]);
    const a = log.filter((x) => x.includes('a'));
    expect(a).toEqual(['+a1', '-a1', '+a2', '-a2', '+a3', '-a3']);
    expect(log.indexOf('-b1')).toBeLessThan(log.indexOf('-a1')); // b did not wait for a
  });

  it('releases after a failing turn and forgets idle conversations', async () => {
    const lock = new TurnLock();
    await expect(lock.run('a', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await lock.run('a', async () => 42)).toBe(42);
    expect((lock as any).tails.size).toBe(0);
  });
});
