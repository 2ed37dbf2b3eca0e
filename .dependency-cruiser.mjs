/**
 * The layer order of ARCHITECTURE.md, as rules dependency-cruiser checks on every import under
 * src/ (type-only imports included: a type couples two layers as much as a value does).
 *
 * `npm test` runs scripts/check-architecture.mjs, which cruises src/ with these rules and
 * compares the violations with scripts/architecture-baseline.txt. The same file works with the
 * CLI: `npx depcruise src` prints every violation, `npx depcruise src -T dot` draws the graph.
 */

/**
 * Lowest first; a module may import its own layer and the layers before it, never one after it.
 * Keep in step with ARCHITECTURE.md.
 */
export const LAYERS = [
  { name: "protocol", path: "^src/protocol/" },
  { name: "crypto", path: "^src/crypto/" },
  { name: "config", path: "^src/config\\.ts$" },
  { name: "storage", path: "^src/storage/" },
  { name: "tokens", path: "^src/tokens/" },
  { name: "resource", path: "^src/resource/" },
  { name: "http", path: "^src/http/" },
  { name: "ui", path: "^src/ui/" },
  { name: "auth", path: "^src/auth/" },
  { name: "oauth", path: "^src/oauth/" },
  { name: "admin", path: "^src/admin/" },
  // The demo API and the local demo (src/demo/) are composed by the app and the development
  // entry (src/dev.ts), and not shipped in gatehouse/resource.
  { name: "app", path: "^src/(app|index|dev)\\.tsx?$|^src/demo/" },
];

/** Ambient declarations (src/env.d.ts) belong to no layer and are imported by none. */
const AMBIENT = "\\.d\\.ts$";

/** The protocol endpoints and their plumbing: what storage and tokens must never know. */
const ENDPOINTS = "^src/(http|ui|auth|oauth|admin)/|^src/(app|index|dev)\\.tsx?$";

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-order:${layer.name}`,
  comment: `${layer.name} sits below ${LAYERS.slice(i + 1)
    .map((l) => l.name)
    .join(", ")}: an arrow only points down (ARCHITECTURE.md)`,
  severity: "error",
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((l) => l.path) },
}));

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "protocol-is-a-leaf",
      comment: "protocol/ (RFC error codes, scopes, token profiles) imports nothing of ours",
      severity: "error",
      from: { path: "^src/protocol/" },
      to: { path: "^src/", pathNot: ["^src/protocol/", AMBIENT] },
    },
    {
      name: "storage-knows-no-endpoint",
      comment: "storage/ answers to the protocol; it never imports oauth, auth, ui, admin or http",
      severity: "error",
      from: { path: "^src/storage/" },
      to: { path: ENDPOINTS },
    },
    {
      name: "tokens-know-no-endpoint",
      comment: "tokens/ issues and verifies JWTs for any endpoint; it never imports one",
      severity: "error",
      from: { path: "^src/tokens/" },
      to: { path: ENDPOINTS },
    },
    {
      name: "ui-knows-no-storage",
      comment: "ui/ renders what it is given; it never reads storage",
      severity: "error",
      from: { path: "^src/ui/" },
      to: { path: "^src/storage/" },
    },
    {
      name: "resource-is-protocol-and-verification",
      comment:
        "resource/ is the package other Workers import (gatehouse/resource): it may use protocol/ " +
        "and token verification only, so it ships no server code",
      severity: "error",
      from: { path: "^src/resource/" },
      to: {
        path: "^src/",
        pathNot: ["^src/resource/", "^src/protocol/", "^src/tokens/verify-access-token\\.ts$", AMBIENT],
      },
    },
    {
      name: "resource-package-reaches-no-server-code",
      comment:
        "nothing the gatehouse/resource entry point loads, however indirectly, is storage, " +
        "configuration, an endpoint or the app",
      severity: "error",
      from: { path: "^src/resource/index\\.ts$" },
      to: { path: ["^src/(storage|http|ui|auth|oauth|admin)/", "^src/(config|app|index)\\.tsx?$"], reachable: true },
    },
    {
      name: "deployed-worker-ships-no-demo",
      comment:
        "the deployed Worker (src/index.ts) loads nothing of the local demo, however indirectly: " +
        "only the development entry (src/dev.ts) mounts it; the example API /api/me is Gatehouse's own",
      severity: "error",
      from: { path: "^src/index\\.ts$" },
      to: { path: ["^src/demo/", "^src/dev\\.ts$"], pathNot: "^src/demo/example-api\\.ts$", reachable: true },
    },
    ...layerRules,
    {
      name: "no-module-cycle",
      comment: "modules that import each other, directly or through others",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-folder-cycle",
      comment: "folders whose modules import each other",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs"],
    },
  },
};
