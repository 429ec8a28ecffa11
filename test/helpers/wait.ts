/**
 * Waits for something that happens in the background (a worker, a scheduler), polling instead
 * of sleeping a fixed time.
 * @example const rows = await until(async () => (rows.length ? rows : undefined), { what: 'invitations' })
 */
export async function until<T>(
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
