import { describe, expect, it } from "vitest";
import { clientSubject, subjectClientId } from "../../src/protocol/client-subject";
import { randomToken } from "../../src/crypto/random";

describe("a client's subject (RFC 9700 §4.15)", () => {
  it("never has the shape of a user's sub, and names its client back", () => {
    for (let i = 0; i < 50; i++) {
      const clientId = randomToken(16);
      const sub = clientSubject(clientId);
      // Users' subs are randomToken(16): base64url only.
      expect(sub).not.toMatch(/^[A-Za-z0-9_-]+$/);
      expect(subjectClientId(sub)).toBe(clientId);
      expect(subjectClientId(randomToken(16))).toBeUndefined();
    }
    expect(subjectClientId("client:")).toBeUndefined();
  });
});
