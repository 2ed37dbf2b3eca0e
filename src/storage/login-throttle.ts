import { DurableObject } from "cloudflare:workers";
import {
  applyResult,
  emptyState,
  forgetAt,
  verdict,
  type ThrottleKind,
  type ThrottleState,
  type ThrottleVerdict,
} from "../auth/throttle-policy";

const STATE_KEY = "state";

/**
 * One object per throttled key ("username:<name>" or "address:<ip>"), so that the count is the
 * same in every Cloudflare location (KV's eventual consistency would let an attacker spread
 * guesses over colos). The policy itself lives in src/auth/throttle-policy.ts.
 *
 * Each method runs without awaiting between reading and writing the state, so concurrent
 * attempts on one key are applied one after another.
 */
export class LoginThrottle extends DurableObject<Env> {
  /** Whether this key may try a password now. Never writes. */
  check(kind: ThrottleKind): ThrottleVerdict {
    return verdict(this.load(kind), Date.now());
  }

  /** Applies the outcome of one password check; answers the verdict that now holds. */
  async record(kind: ThrottleKind, succeeded: boolean): Promise<ThrottleVerdict> {
    const now = Date.now();
    const before = this.load(kind);
    const after = applyResult(before, succeeded, now);
    if (after !== before) await this.save(after, now);
    return verdict(after, now);
  }

  /** Clears the state once it no longer matters (see the policy's forgetAt). */
  override async alarm(): Promise<void> {
    const state = this.ctx.storage.kv.get<ThrottleState>(STATE_KEY);
    if (state === undefined) return;
    await this.save(state, Date.now());
  }

  private load(kind: ThrottleKind): ThrottleState {
    const state = this.ctx.storage.kv.get<ThrottleState>(STATE_KEY);
    return state?.kind === kind ? state : emptyState(kind);
  }

  private async save(state: ThrottleState, now: number): Promise<void> {
    const until = forgetAt(state, now);
    if (until === undefined || until <= now) {
      await this.ctx.storage.deleteAll();
      await this.ctx.storage.deleteAlarm();
      return;
    }
    this.ctx.storage.kv.put(STATE_KEY, state);
    await this.ctx.storage.setAlarm(until);
  }
}
