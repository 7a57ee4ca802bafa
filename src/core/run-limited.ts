// Adapters (kube's apply) and the reconciler both fan work out with a bound; one pool keeps the
// order and the bound the same everywhere.

/** runLimited runs tasks with at most `limit` at once, in order of the list; results keep the list's order. */
export async function runLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
