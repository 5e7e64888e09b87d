import OpenAI from 'openai';

/** What an OpenAI client error says, without its request details (which may carry the key or user text). */
export interface ProviderFailure {
  /** unavailable: 429, 5xx or no connection; rejected: any other refusal. */
  reason: 'timeout' | 'unavailable' | 'rejected';
  message: string;
  /** What the provider asked to wait before trying again, if it said. */
  retryAfterMs?: number;
  /**
   * Whether the client library would try it again by its own rule (no connection, a timeout, 408, 409,
   * 429, 5xx, or the server's x-should-retry), for adapters that keep that rule with the client's own
   * retries turned off.
   */
  transient: boolean;
}

/**
 * Reads an error of the `openai` client, for the adapters that use it; undefined when it is not one.
 * `provider` names the other side in the message ("model provider", "embedding provider").
 */
export function providerFailure(error: unknown, provider: string): ProviderFailure | undefined {
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return { reason: 'timeout', message: `The ${provider} did not answer in time`, transient: true };
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return { reason: 'unavailable', message: `The ${provider} is unreachable`, transient: true };
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    return {
      reason: status === 429 || status >= 500 ? 'unavailable' : 'rejected',
      message: `The ${provider} answered HTTP ${status}`,
      retryAfterMs: retryAfterMs(error.headers),
      transient: clientWouldRetry(status, error.headers),
    };
  }
  return undefined;
}

/** The client library's rule for answers worth trying again (its `shouldRetry`). */
function clientWouldRetry(status: number, headers: unknown): boolean {
  const shouldRetry = header(headers, 'x-should-retry');
  if (shouldRetry === 'true') return true;
  if (shouldRetry === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function header(headers: unknown, name: string): string | null | undefined {
  return headers instanceof Headers
    ? headers.get(name)
    : (headers as Record<string, string> | undefined)?.[name];
}

/** Retry-After as milliseconds: seconds or an HTTP date (and OpenAI's retry-after-ms). */
function retryAfterMs(headers: unknown): number | undefined {
  const read = (name: string) => header(headers, name);
  const milliseconds = Number(read('retry-after-ms'));
  if (read('retry-after-ms') && Number.isFinite(milliseconds)) return Math.max(0, milliseconds);
  const value = read('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
