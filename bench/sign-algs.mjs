// Sign and verify throughput of the JWS algorithms Gatehouse could sign access tokens with.
// Signing is the server's cost per issued token; verification is each resource server's cost
// per request. Run with the project's Node: `npx node bench/sign-algs.mjs [iterations]`.
import { generateKeyPair, jwtVerify, SignJWT } from "jose";

const iterations = Number(process.argv[2] ?? 3000);
const warmup = Math.max(50, Math.floor(iterations / 10));

// A realistic RFC 9068 claims set, like the ones Gatehouse issues.
const now = Math.floor(Date.now() / 1000);
const claims = {
  iss: "https://login.example.com",
  sub: "3f1c2d9e-8b7a-4c6d-9e0f-1a2b3c4d5e6f",
  aud: "https://api.example.com",
  client_id: "Zt3kq9fJ2mXvC8bN1pLw",
  scope: "openid profile email",
  iat: now,
  exp: now + 600,
  jti: "q1w2e3r4t5y6u7i8o9p0aa",
  grant_id: "g7h8j9k0l1z2x3c4v5b6nm",
};

const algorithms = [
  { alg: "ES256", options: {} },
  { alg: "RS256", options: { modulusLength: 2048 } },
  { alg: "EdDSA", options: { crv: "Ed25519" } },
];

async function measure(n, fn) {
  for (let i = 0; i < warmup; i++) await fn();
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const ms = performance.now() - start;
  return { opsPerSecond: (n / ms) * 1000, microsPerOp: (ms * 1000) / n };
}

const rows = [];
for (const { alg, options } of algorithms) {
  const { privateKey, publicKey } = await generateKeyPair(alg, options);
  const sign = () =>
    new SignJWT(claims).setProtectedHeader({ alg, kid: "k", typ: "at+jwt" }).sign(privateKey);
  const token = await sign();
  const verify = () => jwtVerify(token, publicKey, { typ: "at+jwt", algorithms: [alg] });
  const signed = await measure(iterations, sign);
  const verified = await measure(iterations, verify);
  rows.push({
    alg,
    "sign ops/s": Math.round(signed.opsPerSecond),
    "sign µs/op": Math.round(signed.microsPerOp),
    "verify ops/s": Math.round(verified.opsPerSecond),
    "verify µs/op": Math.round(verified.microsPerOp),
    "token bytes": token.length,
  });
}

console.log(`jose sign/verify, ${iterations} iterations each, Node ${process.version}`);
console.table(rows);
