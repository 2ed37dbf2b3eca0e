/** One page of JSON records under a key prefix, and the cursor of the next page if any. */
export interface KvPage<T> {
  records: T[];
  cursor?: string;
}

export interface PageOptions {
  cursor?: string;
  limit?: number;
}

/**
 * Lists the JSON values under `prefix`, a page at a time (KV list, then the values in parallel).
 * A key deleted between the list and the read is skipped.
 */
export async function listJsonPage<T>(
  namespace: KVNamespace,
  prefix: string,
  options: PageOptions = {},
): Promise<KvPage<T>> {
  const page = await namespace.list({
    prefix,
    limit: options.limit ?? 100,
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  });
  const values: (T | null)[] = await Promise.all(
    page.keys.map((k) => namespace.get<T>(k.name, "json")),
  );
  return {
    records: values.filter((r): r is T => r !== null),
    ...(page.list_complete ? {} : { cursor: page.cursor }),
  };
}
