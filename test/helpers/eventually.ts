/**
 * Retries `check` until it neither throws nor returns undefined or false, and returns its value; on
 * timeout, fails with the last assertion error (or says the condition was not met).
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown = new Error('condition not met in time');
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw failure;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
