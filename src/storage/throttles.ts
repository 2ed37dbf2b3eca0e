// Typed calls to the LoginThrottle Durable Object (./login-throttle.ts). Each is one round trip.
import type { ThrottleKind } from "../auth/throttle-policy";
import type { Admitted, AttemptContext, Reservation } from "../auth/throttle-state";

function throttle(env: Env, kind: ThrottleKind, name: string) {
  return env.THROTTLE.getByName(`${kind}:${name}`);
}

/** Refuses while locked; otherwise counts the attempt as a failure and admits it. */
export function reserveAttempt(
  env: Env,
  kind: ThrottleKind,
  name: string,
  context: AttemptContext,
): Promise<Reservation> {
  return throttle(env, kind, name).reserve(kind, context);
}

/** Takes back a reservation whose attempt another key refused. */
export async function withdrawAttempt(
  env: Env,
  kind: ThrottleKind,
  name: string,
  context: AttemptContext,
  reservation: Admitted,
): Promise<void> {
  await throttle(env, kind, name).withdraw(kind, context, reservation);
}

/** The attempt succeeded: its reservation was no failure. */
export async function recordSuccess(
  env: Env,
  kind: ThrottleKind,
  name: string,
  context: AttemptContext,
  reservation: Admitted,
): Promise<void> {
  await throttle(env, kind, name).succeed(kind, context, reservation);
}
