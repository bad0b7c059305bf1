import { describe, expect, it } from 'vitest';
import { Breaker } from '../../workers/destinations/http/breaker.js';

describe('the HTTP circuit breaker', () => {
  it('opens after N failures, lets one probe through after the cool-down, then waits for it', () => {
    const b = new Breaker(3, 1000);
    expect(b.allows(0)).toBe(true);
    b.onFailure(0);
    b.onFailure(0);
    expect(b.open).toBe(false);
    expect(b.onFailure(0)).toBe(true);
    expect(b.allows(500)).toBe(false);
    expect(b.retryAt()).toBe(1000);
    // The cool-down is over: one probe, and no retry time while it is out (nothing to
    // wake for until it ends; a past time here would spin the sender on a 1 ms timer).
    expect(b.allows(1000)).toBe(true);
    expect(b.allows(1001)).toBe(false);
    expect(b.retryAt()).toBeUndefined();
    b.onFailure(1200);
    expect(b.retryAt()).toBe(2200);
    expect(b.allows(2200)).toBe(true);
    b.onSuccess();
    expect(b.open).toBe(false);
    expect(b.allows(2201)).toBe(true);
  });
});
