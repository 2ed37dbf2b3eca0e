/**
 * What the deployment has stored, read back from every KV namespace bound to the Worker (found
 * by shape, not by name, so a namespace added later is read too), to check that no secret a
 * test produced or saw is stored in clear (DESIGN: "Secrets/tokens stored only as hashes";
 * RFC 9700 §4.14, RFC 6749 §10.3, §10.4). Reading storage is fine in a test; mocking it is not.
 */
import { env } from "cloudflare:workers";

export interface StoredEntry {
  namespace: string;
  key: string;
  /** The value as text, followed by its metadata as JSON. */
  text: string;
}

function isKvNamespace(binding: unknown): binding is KVNamespace {
  const candidate = binding as Partial<KVNamespace> | null;
  try {
    return (
      typeof candidate === "object" &&
      candidate !== null &&
      typeof candidate.list === "function" &&
      typeof candidate.getWithMetadata === "function"
    );
  } catch {
    // A service binding answers property reads over RPC, and some refuse them.
    return false;
  }
}

/** Every key, value and metadata of every KV namespace in `env`. */
export async function storedEntries(): Promise<StoredEntry[]> {
  const entries: StoredEntry[] = [];
  for (const [namespace, binding] of Object.entries(env)) {
    // The test runner's own bindings (`__VITEST_…`) are services: reading them costs an RPC.
    if (namespace.startsWith("__") || !isKvNamespace(binding)) continue;
    let cursor: string | undefined;
    do {
      const page: KVNamespaceListResult<unknown> = await binding.list(
        cursor === undefined ? {} : { cursor },
      );
      const values = await Promise.all(
        page.keys.map((k) => binding.getWithMetadata(k.name, "text")),
      );
      page.keys.forEach((k, i) => {
        const stored = values[i];
        entries.push({
          namespace,
          key: k.name,
          text: `${stored?.value ?? ""}\n${JSON.stringify(stored?.metadata ?? null)}\n${JSON.stringify(k.metadata ?? null)}`,
        });
      });
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor !== undefined);
  }
  return entries;
}

/** A secret the run produced or observed, and what it is (for the failure message). */
export interface KnownSecret {
  kind: string;
  value: string;
}

/** The stored entries whose key or value contains a secret in clear, one line each. */
export function secretsInClear(entries: StoredEntry[], secrets: Iterable<KnownSecret>): string[] {
  // One text with every key and value: a secret stored in clear is a substring of it.
  const all = entries.map((e) => `${e.key}\n${e.text}`).join("\n\u0000\n");
  const found: string[] = [];
  for (const secret of secrets) {
    if (secret.value.length < 8 || !all.includes(secret.value)) continue;
    const where = entries.find((e) => e.key.includes(secret.value) || e.text.includes(secret.value));
    found.push(`${secret.kind} stored in clear in ${where?.namespace} under ${where?.key}`);
  }
  return found;
}
