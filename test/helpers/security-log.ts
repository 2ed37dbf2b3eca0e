import type { MockInstance } from "vitest";

/** The security events (src/http/security-events.ts) a `vi.spyOn(console, "log")` has seen. */
export function loggedSecurityEvents(log: MockInstance): Record<string, unknown>[] {
  return log.mock.calls
    .map(([line]) => String(line))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((event) => event.event === "security");
}
