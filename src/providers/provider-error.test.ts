import { describe, expect, it } from 'vitest';
import { EmbedderError } from '../retrieval/embedder.js';
import { abortedCallFailure, ChatModelError } from './chat/chat-model.js';
import { isAbandonedCall, ProviderError, shutdownAbortReason } from './provider-error.js';

describe('ProviderError', () => {
  it('is the base of every kind of provider error, which keep their names and reasons', () => {
    const chat = new ChatModelError('HTTP 503', 'unavailable', { retryAfterMs: 1000 });
    const embeddings = new EmbedderError('HTTP 401', 'rejected');
    expect(chat).toBeInstanceOf(ProviderError);
    expect(embeddings).toBeInstanceOf(ProviderError);
    expect(chat).toMatchObject({ name: 'ChatModelError', provider: 'chat', reason: 'unavailable' });
    expect(embeddings).toMatchObject({ name: 'EmbedderError', provider: 'embeddings', reason: 'rejected' });
    // Only an unavailable provider is worth trying again, unless the adapter says otherwise.
    expect([chat.retryable, chat.retryAfterMs, embeddings.retryable]).toEqual([true, 1000, false]);
    expect(new EmbedderError('timed out', 'timeout', { retryable: true }).retryable).toBe(true);
  });

  it('tells calls the caller abandoned or shutdown cut short from failures of the provider', () => {
    const shutdown = new AbortController();
    shutdown.abort(shutdownAbortReason());
    expect(isAbandonedCall(abortedCallFailure(shutdown.signal))).toBe(true);
    expect(isAbandonedCall(new ChatModelError('the client went away', 'aborted'))).toBe(true);
    expect(isAbandonedCall(new ChatModelError('too slow', 'timeout'))).toBe(false);
    expect(isAbandonedCall(new Error('aborted'))).toBe(false);
  });
});
