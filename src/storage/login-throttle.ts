import { DurableObject } from "cloudflare:workers";
import type { ThrottleKind } from "./throttle-policy";
import {
  type Admitted,
  type AttemptContext,
  type Reservation,
  type ThrottleState,
  applySuccess,
  emptyState,
  prune,
  reserveAttempt,
  withdrawReservation,
} from "./throttle-state";

const STATE_KEY = "state";

/**
 * One object per throttled key ("username:<name>", "address:<ip or /64>", "client:<client_id>",
 * "token-address:<ip or /64>"), so that the count is the same in every Cloudflare location
 * (KV's eventual consistency would let an attacker spread guesses over colos). The policy lives
 * in src/auth/throttle-policy.ts, its arithmetic in src/auth/throttle-state.ts. (The class keeps
 * its first name, LoginThrottle: renaming a Durable Object class needs a migration.)
 *
 * Each method reads and writes the state synchronously (SQLite-backed storage) before its first
 * await, so concurrent attempts on one key are applied strictly one after another: that is what
 * makes `reserve` an atomic check-and-count.
 */
export class LoginThrottle extends DurableObject<Env> {
  /** Refuses while locked; otherwise admits the attempt and counts it as a failure. */
  async reserve(kind: ThrottleKind, context: AttemptContext): Promise<Reservation> {
    const now = Date.now();
    const { state, reservation } = reserveAttempt(this.load(kind), context, now);
    if (reservation.allowed) await this.save(state, now);
    return reservation;
  }

  /** Takes back a reservation: another key refused that attempt. */
  async withdraw(
    kind: ThrottleKind,
    context: AttemptContext,
    reservation: Admitted,
  ): Promise<void> {
    await this.update(kind, (state) => withdrawReservation(state, context, reservation));
  }

  /** The attempt's password was right. */
  async succeed(kind: ThrottleKind, context: AttemptContext, reservation: Admitted): Promise<void> {
    await this.update(kind, (state, now) => applySuccess(state, context, reservation, now));
  }

  /** Clears what no longer matters (see prune in the policy's state module). */
  override async alarm(): Promise<void> {
    const state = this.ctx.storage.kv.get<ThrottleState>(STATE_KEY);
    if (state === undefined) return;
    await this.save(state, Date.now());
  }

  private async update(
    kind: ThrottleKind,
    change: (state: ThrottleState, now: number) => ThrottleState,
  ): Promise<void> {
    const now = Date.now();
    const before = this.load(kind);
    const after = change(before, now);
    if (after !== before) await this.save(after, now);
  }

  private load(kind: ThrottleKind): ThrottleState {
    const state = this.ctx.storage.kv.get<ThrottleState>(STATE_KEY);
    // A state of another shape (an older release's username counter) starts afresh: it is at
    // most a lock of minutes, and reading it as today's shape would fail every attempt.
    return state?.kind === kind && hasShapeOf(state, emptyState(kind)) ? state : emptyState(kind);
  }

  /** Writes synchronously; only the alarm is awaited. */
  private async save(state: ThrottleState, now: number): Promise<void> {
    const pruned = prune(state, now);
    if (pruned.forgetAt === undefined) {
      this.ctx.storage.kv.delete(STATE_KEY);
      await this.ctx.storage.deleteAlarm();
      return;
    }
    this.ctx.storage.kv.put(STATE_KEY, pruned.state);
    await this.ctx.storage.setAlarm(pruned.forgetAt);
  }
}

/** Whether `state` has every field of `expected` (both plain JSON objects). */
function hasShapeOf(state: ThrottleState, expected: ThrottleState): boolean {
  return Object.keys(expected).every((key) => key in state);
}
