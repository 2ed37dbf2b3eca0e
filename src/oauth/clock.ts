/** The time a grant or a client authentication decides at, passed in so that tests can set it. */
export interface Clock {
  /** Seconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };
