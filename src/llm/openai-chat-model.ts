import OpenAI from 'openai';
import type { LlmConfig } from '../config/config.schema.js';
import { type ChatCompletion, type ChatMessage, type ChatModel, ChatModelError } from './chat-model.js';

/** Longest a health probe of the provider may take. */
const PROBE_TIMEOUT_MS = 5000;

/** Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, Ollama) through the official client. */
export class OpenAiChatModel implements ChatModel {
  readonly name: string;
  private readonly client: OpenAI;

  constructor(private readonly config: LlmConfig) {
    this.name = config.model;
    this.client = new OpenAI({
      apiKey: config.apiKey,
      baseURL: config.baseUrl,
      timeout: config.timeoutMs,
      // LLM_TIMEOUT_MS bounds the whole call; a failed call is answered without the LLM instead.
      maxRetries: 0,
    });
  }

  async complete(
    messages: readonly ChatMessage[],
    options: { signal?: AbortSignal } = {},
  ): Promise<ChatCompletion> {
    let response: OpenAI.Chat.Completions.ChatCompletion;
    try {
      response = await this.client.chat.completions.create(
        {
          model: this.config.model,
          messages: messages.map((message) => ({ role: message.role, content: message.content })),
          temperature: this.config.temperature,
          max_tokens: this.config.maxTokens,
        },
        { signal: options.signal },
      );
    } catch (error) {
      throw translateError(error);
    }
    const text = response?.choices?.[0]?.message?.content?.trim();
    if (!text) throw new ChatModelError('The model returned no answer text', 'malformed');
    return {
      text,
      model: typeof response.model === 'string' && response.model !== '' ? response.model : this.config.model,
      usage: response.usage
        ? { promptTokens: response.usage.prompt_tokens, completionTokens: response.usage.completion_tokens }
        : undefined,
    };
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
}

/** Provider errors without their request details (which may carry the key or user text). */
function translateError(error: unknown): ChatModelError {
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ChatModelError('The model did not answer in time', 'timeout');
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ChatModelError('The model provider is unreachable', 'unavailable');
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    const reason = status === 429 || status >= 500 ? 'unavailable' : 'rejected';
    return new ChatModelError(`The model provider answered HTTP ${status}`, reason);
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new ChatModelError('The model call was aborted', 'timeout');
  }
  return new ChatModelError('The model call failed', 'malformed');
}
