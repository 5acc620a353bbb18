/**
 * How many times longer than a quiet machine needs an asynchronous assertion may take. CI runs the
 * suite on two busy cores; waiting longer costs nothing when the assertion passes, so the bound
 * only decides how soon a real failure is reported.
 */
export const PATIENCE = Number(process.env.TEST_PATIENCE ?? 3);

/**
 * Retries an assertion until it passes or the time is up (for what arrives asynchronously).
 * timeoutMs is what a quiet machine needs; the wait allowed is PATIENCE times that.
 */
export async function expectEventually(assertion: () => void | Promise<void>, timeoutMs = 5000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs * PATIENCE;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, stepMs));
    }
  }
}
