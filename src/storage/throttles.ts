// Typed calls to the LoginThrottle Durable Object (./login-throttle.ts). Each is one round trip.
import type { ThrottleKind } from "./throttle-policy";
import type { Admitted, AttemptContext, Reservation } from "./throttle-state";
import type { Stores } from "./stores";

function throttle(stores: Stores, kind: ThrottleKind, name: string) {
  return stores.THROTTLE.getByName(`${kind}:${name}`);
}

/** Refuses while locked; otherwise counts the attempt as a failure and admits it. */
export function reserveAttempt(
  stores: Stores,
  kind: ThrottleKind,
  name: string,
  context: AttemptContext,
): Promise<Reservation> {
  return throttle(stores, kind, name).reserve(kind, context);
}

/** Takes back a reservation whose attempt another key refused. */
export async function withdrawAttempt(
  stores: Stores,
  kind: ThrottleKind,
  name: string,
  context: AttemptContext,
  reservation: Admitted,
): Promise<void> {
  await throttle(stores, kind, name).withdraw(kind, context, reservation);
}

/** The attempt succeeded: its reservation was no failure. */
export async function recordSuccess(
  stores: Stores,
  kind: ThrottleKind,
  name: string,
  context: AttemptContext,
  reservation: Admitted,
): Promise<void> {
  await throttle(stores, kind, name).succeed(kind, context, reservation);
}
