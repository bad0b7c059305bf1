/**
 * Circuit breaker: after `failures` consecutive failed requests the backend is left alone for
 * `cooldownMs`; then one request probes it. A success closes the breaker, a failure opens it
 * for another cool-down.
 */
export class Breaker {
  private consecutive = 0;
  private openUntil = 0;
  private probing = false;
  open = false;

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
  ) {}

  /** May a request start now? In the half-open state only one (the probe) may. */
  allows(now: number): boolean {
    if (!this.open) return true;
    if (this.probing || now < this.openUntil) return false;
    this.probing = true;
    return true;
  }

  /** When a request may be tried again (ms since 1970) while open; undefined while the probe
   * is out: its end, success or failure, is what decides, and the sender is told then. */
  retryAt(): number | undefined {
    return this.probing ? undefined : this.openUntil;
  }

  onSuccess(): void {
    this.consecutive = 0;
    this.open = false;
    this.probing = false;
  }

  /** Returns true when this failure opened the breaker. */
  onFailure(now: number): boolean {
    this.consecutive++;
    const wasOpen = this.open;
    if (this.probing || this.consecutive >= this.failures) {
      this.open = true;
      this.probing = false;
      this.openUntil = now + this.cooldownMs;
    }
    return this.open && !wasOpen;
  }

  get consecutiveFailures(): number {
    return this.consecutive;
  }
}
