import type { Logger } from 'pino';
import type { CompanyProfile } from '../company/company-profile.js';
import type { ConversationStore } from '../conversations/conversation.store.js';
import { currentAnswer } from '../conversations/current-answer.js';
import type { Metrics } from '../observability/metrics.js';
import { AppError } from '../platform/errors.js';
import { type ChatCompletion, type ChatModel, ChatModelError } from '../providers/chat/chat-model.js';
import type { FoundAnswer } from './found-answer.js';
import { knowledgePassage } from './knowledge-answer.js';
import { buildPrompt, type PastTurn, type PromptExample } from './prompt.js';
import type { PromptTemplate } from './prompt-template.js';

const OVERLOADED = 'Слишком много вопросов к модели одновременно. Повторите через несколько секунд.';
const OVERLOADED_RETRY_AFTER_SECONDS = 5;

/** Where a streamed answer goes, and how its client says it has gone away. */
export interface AnswerStream {
  /** A piece of the answer, as it is produced. */
  onDelta(text: string): void;
  /** The pieces streamed so far are withdrawn: the answer that follows replaces them. */
  onReset(): void;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export type LlmOutcome =
  | { kind: 'answered'; completion: ChatCompletion; promptVersion: string }
  /** The client went away while the answer was streamed: `text` is what had been written. */
  | { kind: 'interrupted'; text: string; model: string; promptVersion: string }
  | { kind: 'failed'; reason: string };

/**
 * Asks the LLM: the prompt from the template with the retrieved examples and knowledge and the session's
 * earlier turns, within the question's deadline (LLM_DEADLINE_MS), streamed when the caller streams.
 * Failures are counted and logged here; the caller answers without the LLM then, except when too many
 * questions wait for the LLM already: that is refused (503, Retry-After) to shed the load.
 */
export class LlmAnswerer {
  constructor(
    private readonly dependencies: {
      model: ChatModel;
      template: PromptTemplate;
      profile: CompanyProfile;
      conversations: Pick<ConversationStore, 'recentTurns'>;
      metrics: Metrics;
      logger: Logger;
      deadlineMs: number;
      history: { turns: number; chars: number };
      /**
       * Aborted (with shutdownAbortReason) when the service stops: the calls in flight, and any asked for
       * after, fail at once with reason shutdown, and their questions are answered without the LLM.
       */
      shutdown?: AbortSignal;
    },
  ) {}

  /** `history` is the session's past turns (from history()), fetched while the question was searched. */
  async answer(
    message: string,
    history: Promise<PastTurn[]>,
    found: readonly FoundAnswer[],
    stream: AnswerStream | undefined,
  ): Promise<LlmOutcome> {
    const { model, template, profile, metrics, logger, deadlineMs } = this.dependencies;
    const messages = buildPrompt(
      template,
      profile,
      {
        examples: found.flatMap(promptExample),
        passages: found.flatMap((match) => (match.kind === 'knowledge' ? [knowledgePassage(match)] : [])),
        history: await history,
      },
      message,
    );
    const call = abortableCall(deadlineMs, stream?.signal, this.dependencies.shutdown);
    const { signal } = call;
    let streamed = '';
    const called = performance.now();
    try {
      const completion = stream
        ? await model.stream(messages, {
            signal,
            onDelta: (text) => {
              streamed += text;
              stream.onDelta(text);
            },
          })
        : await model.complete(messages, { signal });
      metrics.llmDuration.observe({ result: 'success' }, (performance.now() - called) / 1000);
      // A whole call by the protocol, but the answer stops mid-way: worth a look at LLM_MAX_TOKENS.
      if (completion.finishReason === 'length') {
        logger.warn({ maxTokensReached: true }, 'the LLM answer was cut at LLM_MAX_TOKENS');
      }
      if (completion.usage) {
        metrics.llmTokens.inc({ kind: 'prompt' }, completion.usage.promptTokens);
        metrics.llmTokens.inc({ kind: 'completion' }, completion.usage.completionTokens);
      }
      return { kind: 'answered', completion, promptVersion: template.version };
    } catch (error) {
      const reason = error instanceof ChatModelError ? error.reason : 'unknown';
      metrics.llmDuration.observe({ result: reason }, (performance.now() - called) / 1000);
      if (reason === 'aborted' && stream?.signal.aborted) {
        return { kind: 'interrupted', text: streamed, model: model.name, promptVersion: template.version };
      }
      metrics.llmFailures.inc({ reason });
      if (reason === 'overloaded') {
        throw new AppError('provider_unavailable', OVERLOADED, OVERLOADED_RETRY_AFTER_SECONDS);
      }
      logger.warn({ reason, error: (error as Error).message }, 'LLM call failed; answering without it');
      if (streamed !== '') stream?.onReset();
      return { kind: 'failed', reason };
    } finally {
      call.finish();
    }
  }

  /** The session's last turns, newest kept first, within the turn and character budget; none without a session. */
  async history(sessionId: string | undefined): Promise<PastTurn[]> {
    const { turns, chars } = this.dependencies.history;
    if (sessionId === undefined || turns === 0 || chars === 0) return [];
    const recent = await this.dependencies.conversations.recentTurns(sessionId, turns);
    const kept: PastTurn[] = [];
    let used = 0;
    for (const turn of recent.reverse()) {
      used += turn.question.length + turn.answer.length;
      if (used > chars) break;
      kept.unshift(turn);
    }
    return kept;
  }
}

/**
 * The signal of one LLM call: aborted with a TimeoutError when the question's deadline passes, or with the
 * reason of the client going away or of the service shutting down. `finish` stops watching them all once
 * the call is over.
 */
function abortableCall(
  deadlineMs: number,
  clientGone: AbortSignal | undefined,
  shutdown: AbortSignal | undefined,
): { signal: AbortSignal; finish(): void } {
  const controller = new AbortController();
  const deadline = setTimeout(
    () => controller.abort(new DOMException("The question's deadline passed", 'TimeoutError')),
    deadlineMs,
  );
  const watched = [clientGone, shutdown].filter((signal) => signal !== undefined);
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const signal of watched) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    finish() {
      clearTimeout(deadline);
      for (const signal of watched) signal.removeEventListener('abort', onAbort);
    },
  };
}

function promptExample(match: FoundAnswer): PromptExample[] {
  if (match.kind === 'curated') {
    const { question, answer } = match.curated;
    return [{ question, answer, source: 'curated', rating: null, similarity: match.score }];
  }
  if (match.kind === 'conversation') {
    return [
      {
        question: match.conversation.user_message,
        answer: currentAnswer(match.conversation),
        source: 'conversation',
        rating: match.conversation.rating,
        similarity: match.score,
      },
    ];
  }
  return [];
}
