import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../src/web/loginLimiter';

describe('LoginLimiter', () => {
  it('locks an address and user after 5 failures for 15 minutes, then lets them try again', () => {
    let t = 0;
    const l = new LoginLimiter({}, () => t);
    for (let i = 0; i < 4; i++) l.fail('1.1.1.1', 'alice');
    expect(l.locked('1.1.1.1', 'alice')).toBe(false);
    l.fail('1.1.1.1', 'alice');
    expect(l.locked('1.1.1.1', 'alice')).toBe(true);
    expect(l.locked('2.2.2.2', 'alice')).toBe(false); // another address is not locked out by this one
    expect(l.locked('1.1.1.1', 'bob')).toBe(false);
    t += 15 * 60 * 1000 + 1;
    expect(l.locked('1.1.1.1', 'alice')).toBe(false);
  });

  it('locks an address that sprays many user names', () => {
    const l = new LoginLimiter({ perAddress: 20 }, () => 0);
    for (let i = 0; i < 19; i++) l.fail('9.9.9.9', `user${i}`);
    expect(l.locked('9.9.9.9', 'fresh')).toBe(false);
    l.fail('9.9.9.9', 'user19');
    expect(l.locked('9.9.9.9', 'fresh')).toBe(true);
  });

  it('clears the pair on success and keeps memory bounded under a flood of names', () => {
    const l = new LoginLimiter({ maxEntries: 100, perAddress: 1e9 }, () => 0);
    for (let i = 0; i < 3; i++) l.fail('1.1.1.1', 'alice');
    l.succeed('1.1.1.1', 'alice');
    for (let i = 0; i < 4; i++) l.fail('1.1.1.1', 'alice');
    expect(l.locked('1.1.1.1', 'alice')).toBe(false);
    for (let i = 0; i < 10_000; i++) l.fail(`10.0.${i >> 8}.${i & 255}`, `u${i}`);
    expect(l.size).toBeLessThanOrEqual(100);
  });
});
