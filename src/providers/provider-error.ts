/** The kinds of model the service calls out for; each has its own port and its own error class. */
export type ProviderKind = 'chat' | 'embeddings' | 'speech-to-text' | 'text-to-speech' | 'fine-tuning';

/**
 * Why a provider call failed. unavailable: 429, 5xx or no connection; timeout: no answer in time;
 * rejected: the provider refused the request (a bad key, a bad request); malformed: an answer that cannot
 * be read; aborted: the caller gave up (its client went away); shutdown: cut short because the service is
 * stopping; circuit_open: not tried, the provider has been failing; overloaded: not tried, too many calls
 * are waiting for it. Each kind's error class narrows this to the reasons it can have.
 */
export type ProviderFailureReason =
  | 'timeout'
  | 'unavailable'
  | 'rejected'
  | 'malformed'
  | 'aborted'
  | 'shutdown'
  | 'circuit_open'
  | 'overloaded';

export interface ProviderErrorOptions {
  cause?: unknown;
  /** Worth trying again; by default only an unavailable provider is. */
  retryable?: boolean;
  /** What the provider asked to wait before trying again (Retry-After), if it said. */
  retryAfterMs?: number;
}

/**
 * A provider call that failed, whatever the kind of model: what the resilience policies read (retryable,
 * Retry-After, whether the failure says anything of the provider) and what callers map to answers.
 */
export class ProviderError<Reason extends ProviderFailureReason = ProviderFailureReason> extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly provider: ProviderKind,
    message: string,
    readonly reason: Reason,
    options?: ProviderErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.retryable = options?.retryable ?? reason === 'unavailable';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * A call that ended because its caller gave up or the service is stopping: it says nothing of the
 * provider, so it never counts against it.
 */
export function isAbandonedCall(error: unknown): boolean {
  return error instanceof ProviderError && (error.reason === 'aborted' || error.reason === 'shutdown');
}

/** The reason calls are aborted with when the service shuts down; they fail with reason shutdown. */
export function shutdownAbortReason(): DOMException {
  return new DOMException('The service is shutting down', 'ShutdownError');
}
