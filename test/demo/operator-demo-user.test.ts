import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { answerAuthorization, startDemo, visit } from "../helpers/demo";
import { localDevelopment } from "../helpers/deployment";
import { createUser } from "../helpers/fixtures";

it("never takes over an operator's own user named demo: the demo makes a user of its own", async () => {
  const operators = await createUser({ username: "demo", password: "the-operator's-own" });
  const before = await env.USERS.get(`user:${operators.sub}`);

  const browser = new TestBrowser(localDevelopment());
  const started = await startDemo(browser);
  expect(started.credentials.username).toMatch(/^demo-[A-Za-z0-9_-]{4}$/);
  expect(started.credentials.password).not.toBe(operators.password);
  const callback = await answerAuthorization(browser, started, "allow");
  expect((await visit(browser, callback)).status).toBe(200);

  // The operator's user, password hash included, is as it was.
  expect(await env.USERS.get(`user:${operators.sub}`)).toBe(before);
});
