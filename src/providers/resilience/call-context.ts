/** What a resilience policy knows of one provider call. */
export interface CallContext {
  /** The call's deadline or its caller giving up: no retry, no wait in a queue beyond it. */
  signal?: AbortSignal | undefined;
  /** False once part of the call's result has been handed on (a streamed answer): it is not tried again. */
  mayRetry?: () => boolean;
}
