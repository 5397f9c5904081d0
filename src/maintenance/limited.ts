/**
 * Runs `body` on every item, at most `limit` at a time. Maintenance reads and deletes many small
 * files; one at a time, each waits for its own turn of an event loop that a busy server keeps
 * full, and a vacuum of a thousand snapshots took minutes under load.
 */
export async function forEachLimited<T>(items: Iterable<T>, limit: number, body: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await body(next.value);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
