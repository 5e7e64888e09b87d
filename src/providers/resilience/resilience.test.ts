import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ChatCompletion,
  type ChatModel,
  ChatModelError,
  type ChatStreamOptions,
} from '../chat/chat-model.js';
import { chatPolicyFailures, ResilientChatModel } from '../chat/resilient-chat-model.js';
import { BulkheadPolicy, type ConcurrencyLimits } from './bulkhead-policy.js';
import { CircuitBreakerPolicy, type CircuitSettings, type CircuitState } from './circuit-breaker-policy.js';
import { ProviderResilience } from './provider-resilience.js';
import { RetryPolicy, type RetrySettings } from './retry-policy.js';

const ANSWER: ChatCompletion = { text: 'Ответ.', model: 'scripted', usage: undefined };

/** A model that plays a script: each call takes the next step (the last one repeats). */
class ScriptedModel implements ChatModel {
  readonly name = 'scripted';
  calls = 0;
  constructor(
    private readonly script: (ChatModelError | 'answer' | { deltas: string[]; failure: ChatModelError })[],
  ) {}

  async complete(): Promise<ChatCompletion> {
    const step = this.next();
    if (step === 'answer') return ANSWER;
    throw step instanceof ChatModelError ? step : step.failure;
  }

  async stream(_messages: unknown, options: ChatStreamOptions): Promise<ChatCompletion> {
    const step = this.next();
    if (step === 'answer') {
      options.onDelta(ANSWER.text);
      return ANSWER;
    }
    if (step instanceof ChatModelError) throw step;
    for (const delta of step.deltas) options.onDelta(delta);
    throw step.failure;
  }

  async probe(): Promise<void> {}

  private next() {
    const step = this.script[Math.min(this.calls, this.script.length - 1)];
    this.calls++;
    return step as ChatModelError | 'answer' | { deltas: string[]; failure: ChatModelError };
  }
}

const unavailable = (retryAfterMs?: number) =>
  new ChatModelError('HTTP 503', 'unavailable', retryAfterMs === undefined ? {} : { retryAfterMs });
const policy = { retries: 2, baseDelayMs: 1, maxDelayMs: 50 };

/** A chat model with one policy around it, as the factory applies them. */
const withRetries = (model: ChatModel, settings: RetrySettings, hooks?: { onRetry?: () => void }) =>
  new ResilientChatModel(model, new ProviderResilience({ retry: new RetryPolicy(settings, hooks) }));
const withCircuitBreaker = (
  model: ChatModel,
  settings: CircuitSettings,
  hooks?: { onStateChange?: (state: CircuitState) => void },
) => {
  const circuit = new CircuitBreakerPolicy(settings, chatPolicyFailures, hooks);
  const guarded = new ResilientChatModel(model, new ProviderResilience({ circuitBreaker: circuit }));
  return Object.defineProperty(guarded, 'state', { get: () => circuit.state }) as ResilientChatModel & {
    readonly state: CircuitState;
  };
};
const withConcurrencyLimit = (model: ChatModel, limits: ConcurrencyLimits) =>
  new ResilientChatModel(
    model,
    new ProviderResilience({ bulkhead: new BulkheadPolicy(limits, chatPolicyFailures) }),
  );

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the retry policy', () => {
  it('retries unavailable providers up to its limit, and nothing else', async () => {
    const flaky = new ScriptedModel([unavailable(), unavailable(), 'answer']);
    let retries = 0;
    const retrying = withRetries(flaky, policy, { onRetry: () => retries++ });
    await expect(retrying.complete([])).resolves.toEqual(ANSWER);
    expect([flaky.calls, retries]).toEqual([3, 2]);

    const down = new ScriptedModel([unavailable()]);
    await expect(withRetries(down, policy).complete([])).rejects.toMatchObject({
      reason: 'unavailable',
    });
    expect(down.calls).toBe(3);

    const refused = new ScriptedModel([new ChatModelError('HTTP 401', 'rejected')]);
    await expect(withRetries(refused, policy).complete([])).rejects.toMatchObject({
      reason: 'rejected',
    });
    expect(refused.calls).toBe(1);
  });

  it('gives up at once when Retry-After asks for longer than it would wait, or the deadline has passed', async () => {
    const patient = new ScriptedModel([unavailable(60_000), 'answer']);
    await expect(withRetries(patient, policy).complete([])).rejects.toMatchObject({
      retryAfterMs: 60_000,
    });
    expect(patient.calls).toBe(1);

    const late = new ScriptedModel([unavailable(40), 'answer']);
    await expect(
      withRetries(late, policy).complete([], { signal: AbortSignal.timeout(10) }),
    ).rejects.toMatchObject({ reason: 'unavailable' });
    expect(late.calls).toBe(1);
  });

  it('waits with full jitter, doubling up to the maximum', async () => {
    const model = new ScriptedModel([unavailable()]);
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const retrying = withRetries(model, { retries: 4, baseDelayMs: 10, maxDelayMs: 30 });
    const started = performance.now();
    await expect(retrying.complete([])).rejects.toMatchObject({ reason: 'unavailable' });
    // 10 + 20 + 30 + 30 ms, at the top of the jitter.
    expect(performance.now() - started).toBeGreaterThanOrEqual(85);
    expect(model.calls).toBe(5);
  });

  it('retries a stream only until its first piece has been handed on', async () => {
    const cut = new ScriptedModel([{ deltas: ['Отв'], failure: unavailable() }, 'answer']);
    const deltas: string[] = [];
    await expect(
      withRetries(cut, policy).stream([], { onDelta: (text) => deltas.push(text) }),
    ).rejects.toMatchObject({ reason: 'unavailable' });
    expect([cut.calls, deltas]).toEqual([1, ['Отв']]);

    const early = new ScriptedModel([unavailable(), 'answer']);
    await expect(withRetries(early, policy).stream([], { onDelta: () => {} })).resolves.toEqual(ANSWER);
    expect(early.calls).toBe(2);
  });
});

describe('the circuit breaker policy', () => {
  it('opens after failures in a row, lets one trial through after the cooldown, and closes on its success', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    const states: string[] = [];
    const model = new ScriptedModel([unavailable(), unavailable(), unavailable(), 'answer']);
    const breaker = withCircuitBreaker(
      model,
      { failureThreshold: 2, cooldownMs: 1000 },
      { onStateChange: (state) => states.push(state) },
    );
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'unavailable' });
    expect(breaker.state).toBe('closed');
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'unavailable' });
    expect(breaker.state).toBe('open');
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'circuit_open' });
    expect(model.calls).toBe(2);

    vi.setSystemTime(1000);
    expect(breaker.state).toBe('half_open');
    // The trial fails: open for another cooldown.
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'unavailable' });
    expect(breaker.state).toBe('open');
    vi.setSystemTime(1999);
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'circuit_open' });
    vi.setSystemTime(2000);
    await expect(breaker.complete([])).resolves.toEqual(ANSWER);
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'open', 'closed']);
  });

  it('lets only one trial through at a time', async () => {
    const pending: { resolve(answer: ChatCompletion): void; reject(error: Error): void }[] = [];
    const controlled: ChatModel = {
      name: 'controlled',
      complete: () => new Promise((resolve, reject) => pending.push({ resolve, reject })),
      stream: async () => ANSWER,
      probe: async () => {},
    };
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    const breaker = withCircuitBreaker(controlled, { failureThreshold: 1, cooldownMs: 10 });
    const first = breaker.complete([]);
    pending[0]?.reject(unavailable());
    await expect(first).rejects.toMatchObject({ reason: 'unavailable' });
    vi.setSystemTime(10);
    const trial = breaker.complete([]);
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'circuit_open' });
    pending[1]?.resolve(ANSWER);
    await expect(trial).resolves.toEqual(ANSWER);
    expect(breaker.state).toBe('closed');
    expect(pending).toHaveLength(2);
  });

  it('does not count calls the caller abandoned', async () => {
    const abandoned = new ScriptedModel([new ChatModelError('the client went away', 'aborted')]);
    const breaker = withCircuitBreaker(abandoned, { failureThreshold: 1, cooldownMs: 10 });
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'aborted' });
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'aborted' });
    expect(breaker.state).toBe('closed');
  });
  it('leaves the circuit half open when its trial is abandoned, for the next call to try', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    const states: string[] = [];
    const model = new ScriptedModel([
      unavailable(),
      new ChatModelError('the client went away', 'aborted'),
      'answer',
    ]);
    const breaker = withCircuitBreaker(
      model,
      { failureThreshold: 1, cooldownMs: 10 },
      { onStateChange: (state) => states.push(state) },
    );
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'unavailable' });
    vi.setSystemTime(10);
    await expect(breaker.complete([])).rejects.toMatchObject({ reason: 'aborted' });
    expect(breaker.state).toBe('half_open');
    await expect(breaker.complete([])).resolves.toEqual(ANSWER);
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'closed']);
  });
});

describe('the bulkhead policy', () => {
  it('runs calls in order as slots free up, refuses beyond the queue, and drops abandoned waiters', async () => {
    const pending: (() => void)[] = [];
    const started: string[] = [];
    const model: ChatModel = {
      name: 'slow',
      complete: (messages) =>
        new Promise((resolve) => {
          started.push(messages[0]?.content ?? '');
          pending.push(() => resolve(ANSWER));
        }),
      stream: async () => ANSWER,
      probe: async () => {},
    };
    const limited = withConcurrencyLimit(model, { maxConcurrent: 1, maxQueued: 2 });
    const ask = (content: string, signal?: AbortSignal) =>
      limited.complete([{ role: 'user', content }], signal ? { signal } : {});
    const first = ask('first');
    const abandon = new AbortController();
    const abandoned = ask('abandoned', abandon.signal);
    const third = ask('third');
    await expect(ask('refused')).rejects.toMatchObject({ reason: 'overloaded' });
    abandon.abort(new Error('the client went away'));
    await expect(abandoned).rejects.toMatchObject({ reason: 'aborted' });
    expect(limited.queued).toBe(1);
    pending.shift()?.();
    await expect(first).resolves.toEqual(ANSWER);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['first', 'third']);
    pending.shift()?.();
    await expect(third).resolves.toEqual(ANSWER);
    // Every slot is free again.
    const again = ask('again');
    await new Promise((resolve) => setImmediate(resolve));
    pending.shift()?.();
    await expect(again).resolves.toEqual(ANSWER);
  });
});
