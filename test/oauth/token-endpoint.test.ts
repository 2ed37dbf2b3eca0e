import { describe, expect, it } from "vitest";
import { expectTokenError, refresh } from "../helpers/codes";
import { createClient } from "../helpers/fixtures";
import { postForm, request } from "../helpers/http";

describe("token endpoint: request rules (RFC 6749 §3.2, §5.2)", () => {
  it("accepts POST only", async () => {
    const res = await request("/token?grant_type=authorization_code");
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST");
    await expectTokenError(res, "invalid_request", 405);
  });

  it("refuses a request without grant_type", async () => {
    const client = await createClient();
    await expectTokenError(
      await postForm("/token", { client_id: client.client_id, code: "x" }),
      "invalid_request",
    );
  });

  it.each(["password", "implicit", "toString", "__proto__", "client_credentials "])(
    "answers grant_type %j with unsupported_grant_type",
    async (grantType) => {
      const client = await createClient();
      const res = await postForm(
        "/token",
        { grant_type: grantType },
        { Authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}` },
      );
      await expectTokenError(res, "unsupported_grant_type");
    },
  );

  it("answers a grant type the client did not register with unauthorized_client", async () => {
    const client = await createClient({ grant_types: ["authorization_code"] });
    await expectTokenError(await refresh(client, "anything"), "unauthorized_client");
  });

  it("refuses a body that is not application/x-www-form-urlencoded", async () => {
    const res = await request("/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ grant_type: "authorization_code" }),
    });
    await expectTokenError(res, "invalid_request");
  });

  it("refuses an oversized body with invalid_request, not a server error", async () => {
    const res = await postForm("/token", {
      grant_type: "authorization_code",
      code: "x".repeat(100 * 1024),
    });
    await expectTokenError(res, "invalid_request", 413);
  });
});
