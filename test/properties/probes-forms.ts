/**
 * Generated requests of the login and consent forms: a form captured once (its hidden ticket and
 * CSRF token, the browser's cookies) posted again with the ticket, the token, the cookies, the
 * credentials or the decision altered, from another site or with another media type.
 */
import fc from "fast-check";
import { ORIGIN } from "../helpers/http";
import { testAddress } from "../helpers/flow";
import { type BodyShape, type Sent, type Twist, applyTwist, bodyShape, breaks, draft, garbage, shapeBody, twist } from "./draft";
import type { World } from "./world";

export interface FormRecipe {
  form: number;
  ticket: "ok" | "twisted" | "other" | "missing";
  csrf: "ok" | "twisted" | "missing";
  cookie: "ok" | "none" | "twisted" | "other";
  t: Twist;
  /** login: which username and password; consent: which decision. */
  who: "target" | "target-upper" | "unknown" | "junk";
  secret: "correct" | "wrong" | "junk" | "empty" | "long";
  decision: "allow" | "deny" | "ALLOW" | "missing" | "junk" | "repeat";
  junk: string;
  fetchSite: "absent" | "same-origin" | "none" | "cross-site";
  origin: "absent" | "null" | "own" | "evil";
  shape: BodyShape;
  bytes: Uint8Array;
  ip: number;
}

export const formRecipe: fc.Arbitrary<FormRecipe> = fc.record({
  form: fc.nat(),
  ticket: fc.constantFrom("ok", "ok", "ok", "twisted", "other", "missing"),
  csrf: fc.constantFrom("ok", "ok", "ok", "twisted", "missing"),
  cookie: fc.constantFrom("ok", "ok", "ok", "none", "twisted", "other"),
  t: twist,
  who: fc.constantFrom("target", "target", "target-upper", "unknown", "junk"),
  secret: fc.constantFrom("correct", "wrong", "junk", "empty", "long"),
  decision: fc.constantFrom("allow", "allow", "deny", "ALLOW", "missing", "junk", "repeat"),
  junk: garbage,
  fetchSite: fc.constantFrom("absent", "absent", "same-origin", "none", "cross-site"),
  origin: fc.constantFrom("absent", "absent", "null", "own", "evil"),
  shape: bodyShape,
  bytes: fc.uint8Array({ maxLength: 32 }),
  ip: fc.nat({ max: 4095 }),
});

/** POST /authorize/login or /authorize/consent from a captured form, altered. */
export function formProbe(world: World, kind: "login" | "consent", r: FormRecipe): Sent {
  const forms = kind === "login" ? world.loginForms : world.consentForms;
  const captured = forms[r.form % forms.length] as World["loginForms"][number];
  const other = forms[(r.form + 1) % forms.length] as World["loginForms"][number];
  const hidden = { ...captured.form.hidden };
  const d = draft("POST", captured.form.action, []);
  d.headers["CF-Connecting-IP"] = testAddress(r.ip);
  const ticketName = Object.keys(hidden).find((n) => n !== "csrf") ?? "request";
  const tw = { ...r.t, kind: r.t.kind === "garbage" ? ("flip" as const) : r.t.kind };
  // Another form seen by the same browser (same cookies) is a valid request for its own client.
  const sameBrowser = other !== captured && other.cookie === captured.cookie;
  const clients = [captured.client];
  if (r.ticket === "other" && sameBrowser) {
    hidden[ticketName] = other.form.hidden[ticketName] ?? "";
    clients.push(other.client);
  } else if (r.ticket !== "ok") {
    hidden[ticketName] = { twisted: applyTwist(hidden[ticketName] ?? "", tw), other: other.form.hidden[ticketName] ?? "", missing: "" }[r.ticket];
    breaks(d, `ticket ${r.ticket}`);
  }
  if (r.csrf !== "ok" && "csrf" in hidden) {
    hidden.csrf = r.csrf === "twisted" ? applyTwist(hidden.csrf ?? "", tw) : "";
    breaks(d, `csrf ${r.csrf}`);
  }
  for (const [n, v] of Object.entries(hidden)) d.params.push([n, v]);
  if (r.cookie === "ok" || (r.cookie === "other" && sameBrowser)) d.headers.Cookie = captured.cookie;
  else {
    if (r.cookie === "other" && other !== captured) d.headers.Cookie = other.cookie;
    if (r.cookie === "twisted") d.headers.Cookie = captured.cookie.replace(/=([^;]{8})/g, "=A$1");
    breaks(d, `cookie ${r.cookie}`);
  }
  if (kind === "login") {
    const target = world.target;
    const username = { target: target.username, "target-upper": target.username.toUpperCase(), unknown: `nobody-${r.ip}`, junk: r.junk }[r.who];
    const password = { correct: target.password, wrong: `${target.password}x`, junk: r.junk, empty: "", long: "p".repeat(5000) }[r.secret];
    d.params.push(["username", username], ["password", password]);
    if (r.who === "unknown" || r.who === "junk") breaks(d, "unknown user");
    if (r.secret !== "correct") breaks(d, "wrong password");
  } else {
    const decision = { allow: "allow", deny: "deny", ALLOW: "ALLOW", missing: undefined, junk: r.junk, repeat: "allow" }[r.decision];
    if (decision !== undefined) d.params.push(["decision", decision]);
    if (r.decision === "repeat") d.params.push(["decision", "allow"]);
    if (r.decision !== "allow") breaks(d, `decision ${r.decision}`);
  }
  if (r.fetchSite !== "absent") d.headers["Sec-Fetch-Site"] = r.fetchSite;
  if (r.fetchSite === "cross-site") breaks(d, "cross-site form post");
  const origin = { absent: undefined, null: "null", own: ORIGIN, evil: "https://evil.example" }[r.origin];
  if (origin !== undefined) d.headers.Origin = origin;
  if (r.origin === "evil") breaks(d, "foreign Origin");
  shapeBody(d, r.shape, r.bytes);
  return {
    d,
    redirectClients: clients,
    mayIssueCode: d.valid,
    onCode: (code) => {
      if (r.ticket !== "ok") return;
      world.codes.push({
        client: captured.client,
        value: code,
        verifier: captured.verifier,
        redirectUri: captured.redirectUri,
        redirectSent: true,
        scope: (captured.client.metadata.scope ?? "").split(" "),
        redeemed: 0,
      });
    },
  };
}
