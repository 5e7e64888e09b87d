import type {
  ChatCallOptions,
  ChatCompletion,
  ChatMessage,
  ChatModel,
  ChatStreamOptions,
} from '../chat/chat-model.js';
import { ChatModelError } from '../chat/chat-model.js';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitPolicy {
  /** Consecutive failed calls that open the circuit (LLM_BREAKER_FAILURES). */
  failureThreshold: number;
  /** How long it stays open before one call may try again (LLM_BREAKER_COOLDOWN_MS). */
  cooldownMs: number;
}

/**
 * Stops calling a provider that keeps failing. After `failureThreshold` failures in a row the circuit
 * opens: calls fail at once (reason circuit_open) and questions are answered without the LLM. After
 * `cooldownMs` it is half open: one call tries the provider, the others still fail at once; its success
 * closes the circuit, its failure opens it for another cooldown. Calls the caller abandoned, or shutdown
 * cut short, do not count.
 */
export class CircuitBreakerChatModel implements ChatModel {
  readonly name: string;
  private failures = 0;
  private openedAt = 0;
  private opened = false;
  private trialRunning = false;

  constructor(
    private readonly inner: ChatModel,
    private readonly policy: CircuitPolicy,
    private readonly hooks: { onStateChange?: (state: CircuitState) => void; now?: () => number } = {},
  ) {
    this.name = inner.name;
  }

  get state(): CircuitState {
    if (!this.opened) return 'closed';
    return this.now() - this.openedAt >= this.policy.cooldownMs ? 'half_open' : 'open';
  }

  complete(messages: readonly ChatMessage[], options: ChatCallOptions = {}): Promise<ChatCompletion> {
    return this.guard(() => this.inner.complete(messages, options));
  }

  stream(messages: readonly ChatMessage[], options: ChatStreamOptions): Promise<ChatCompletion> {
    return this.guard(() => this.inner.stream(messages, options));
  }

  probe(): Promise<void> {
    return this.inner.probe();
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    const trial = state === 'half_open';
    if (state === 'open' || (trial && this.trialRunning)) {
      throw new ChatModelError('The LLM has been failing; it is not called for a while', 'circuit_open');
    }
    if (trial) this.trialRunning = true;
    try {
      const result = await call();
      this.succeeded();
      return result;
    } catch (error) {
      // Neither the caller giving up nor the service shutting down says anything of the provider.
      const abandoned =
        error instanceof ChatModelError && (error.reason === 'aborted' || error.reason === 'shutdown');
      if (!abandoned) this.failed();
      throw error;
    } finally {
      if (trial) this.trialRunning = false;
    }
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.opened) {
      this.opened = false;
      this.hooks.onStateChange?.('closed');
    }
  }

  private failed(): void {
    this.failures++;
    if (this.opened || this.failures >= this.policy.failureThreshold) {
      // A failed trial opens it again for a whole cooldown.
      this.opened = true;
      this.openedAt = this.now();
      this.hooks.onStateChange?.('open');
    }
  }

  private now(): number {
    return (this.hooks.now ?? Date.now)();
  }
}
