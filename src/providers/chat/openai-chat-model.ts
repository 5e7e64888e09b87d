import OpenAI from 'openai';
import type { LlmConfig } from '../../config/config.schema.js';
import { providerFailure } from '../openai-errors.js';
import {
  abortedCallFailure,
  type ChatCallOptions,
  type ChatCompletion,
  type ChatMessage,
  type ChatModel,
  ChatModelError,
  type ChatStreamOptions,
} from './chat-model.js';

/** Longest a health probe of the provider may take. */
const PROBE_TIMEOUT_MS = 5000;

/** Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, Ollama) through the official client. */
export class OpenAiChatModel implements ChatModel {
  readonly name: string;
  private readonly client: OpenAI;

  /** `fetch` is the transport the client sends its requests over (the factory gives nodeHttpFetch). */
  constructor(
    private readonly config: LlmConfig,
    fetch: typeof globalThis.fetch,
  ) {
    this.name = config.model;
    this.client = new OpenAI({
      apiKey: config.apiKey,
      baseURL: config.baseUrl,
      // LLM_TIMEOUT_MS bounds each call; retries and the circuit breaker are wrapped around this adapter.
      timeout: config.timeoutMs,
      maxRetries: 0,
      fetch,
    });
  }

  async complete(messages: readonly ChatMessage[], options: ChatCallOptions = {}): Promise<ChatCompletion> {
    let response: OpenAI.Chat.Completions.ChatCompletion;
    try {
      response = await this.client.chat.completions.create(this.request(messages), {
        signal: options.signal,
      });
    } catch (error) {
      throw translateError(error, options.signal);
    }
    const choice = response?.choices?.[0];
    const text = choice?.message?.content?.trim();
    if (!text) throw new ChatModelError('The model returned no answer text', 'malformed');
    return {
      text,
      model: this.reportedModel(response.model),
      usage: response.usage
        ? { promptTokens: response.usage.prompt_tokens, completionTokens: response.usage.completion_tokens }
        : undefined,
      finishReason: choice?.finish_reason ?? undefined,
    };
  }

  async stream(messages: readonly ChatMessage[], options: ChatStreamOptions): Promise<ChatCompletion> {
    let text = '';
    let model = this.config.model;
    let usage: ChatCompletion['usage'];
    let finishReason: string | undefined;
    try {
      const chunks = await this.client.chat.completions.create(
        { ...this.request(messages), stream: true, stream_options: { include_usage: true } },
        { signal: options.signal },
      );
      for await (const chunk of chunks) {
        model = this.reportedModel(chunk.model);
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
        }
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        const delta = choice?.delta?.content;
        if (typeof delta === 'string' && delta !== '') {
          text += delta;
          options.onDelta(delta);
        }
      }
      // The client library ends an aborted stream quietly: the answer is cut short all the same.
      if (options.signal?.aborted) throw new Error('aborted');
    } catch (error) {
      throw translateError(error, options.signal);
    }
    // Every provider ends its last chunk with a finish reason. A body that ends without one was cut off,
    // even when the transport saw a clean end (a connection closed without framing); the client library
    // does not tell whether [DONE] came, and [DONE] without a finish reason would not say the text is whole.
    if (finishReason === undefined) {
      throw new ChatModelError('The model stream ended without a finish reason: it was cut off', 'malformed');
    }
    if (text.trim() === '') throw new ChatModelError('The model returned no answer text', 'malformed');
    return { text: text.trim(), model, usage, finishReason };
  }

  async probe(): Promise<void> {
    try {
      await this.client.models.list({ timeout: Math.min(this.config.timeoutMs, PROBE_TIMEOUT_MS) });
    } catch (error) {
      // Some servers have no model list: any answer but a refused key or a server error shows it is up.
      const status = error instanceof OpenAI.APIError ? error.status : undefined;
      if (status !== undefined && status < 500 && ![401, 403, 429].includes(status)) return;
      throw translateError(error);
    }
  }

  private request(messages: readonly ChatMessage[]) {
    return {
      model: this.config.model,
      messages: messages.map((message) => ({ role: message.role, content: message.content })),
      temperature: this.config.temperature,
      max_tokens: this.config.maxTokens,
    };
  }

  private reportedModel(model: unknown): string {
    return typeof model === 'string' && model !== '' ? model : this.config.model;
  }
}

/** Provider errors without their request details (which may carry the key or user text). */
function translateError(error: unknown, signal?: AbortSignal): ChatModelError {
  // The question's deadline, the service shutting down or the client going away.
  if (signal?.aborted) return abortedCallFailure(signal);
  const failure = providerFailure(error, 'model provider');
  if (failure)
    return new ChatModelError(failure.message, failure.reason, { retryAfterMs: failure.retryAfterMs });
  if (error instanceof Error && error.name === 'AbortError') {
    return new ChatModelError('The model call was aborted', 'timeout');
  }
  // A stream that ends before its end, or a body that is not what the protocol says.
  return new ChatModelError('The model answer could not be read', 'malformed');
}
