import { DurableObject } from "cloudflare:workers";
import {
  applySuccess,
  emptyState,
  forgetAt,
  reserveAttempt,
  withdrawReservation,
  type Reservation,
  type ThrottleKind,
  type ThrottleState,
} from "../auth/throttle-policy";

const STATE_KEY = "state";

/**
 * One object per throttled key ("username:<name>" or "address:<ip or /64>"), so that the count
 * is the same in every Cloudflare location (KV's eventual consistency would let an attacker
 * spread guesses over colos). The policy itself lives in src/auth/throttle-policy.ts.
 *
 * Each method reads and writes the state synchronously (SQLite-backed storage) before its first
 * await, so concurrent attempts on one key are applied strictly one after another: that is what
 * makes `reserve` an atomic check-and-count.
 */
export class LoginThrottle extends DurableObject<Env> {
  /** Refuses while locked; otherwise admits the attempt and counts it as a failure. */
  async reserve(kind: ThrottleKind): Promise<Reservation> {
    const now = Date.now();
    const { state, reservation } = reserveAttempt(this.load(kind), now);
    if (reservation.allowed) await this.save(state, now);
    return reservation;
  }

  /** Takes back the reservation made at `at`: another key refused that attempt. */
  async withdraw(kind: ThrottleKind, at: number): Promise<void> {
    await this.update(kind, (state) => withdrawReservation(state, at));
  }

  /** The attempt's password was right. */
  async succeed(kind: ThrottleKind): Promise<void> {
    await this.update(kind, applySuccess);
  }

  /** Clears the state once it no longer matters (see the policy's forgetAt). */
  override async alarm(): Promise<void> {
    const state = this.ctx.storage.kv.get<ThrottleState>(STATE_KEY);
    if (state === undefined) return;
    await this.save(state, Date.now());
  }

  private async update(kind: ThrottleKind, change: (state: ThrottleState) => ThrottleState) {
    const before = this.load(kind);
    const after = change(before);
    if (after !== before) await this.save(after, Date.now());
  }

  private load(kind: ThrottleKind): ThrottleState {
    const state = this.ctx.storage.kv.get<ThrottleState>(STATE_KEY);
    return state?.kind === kind ? state : emptyState(kind);
  }

  /** Writes synchronously; only the alarm is awaited. */
  private async save(state: ThrottleState, now: number): Promise<void> {
    const until = forgetAt(state, now);
    if (until === undefined || until <= now) {
      this.ctx.storage.kv.delete(STATE_KEY);
      await this.ctx.storage.deleteAlarm();
      return;
    }
    this.ctx.storage.kv.put(STATE_KEY, state);
    await this.ctx.storage.setAlarm(until);
  }
}
