import type { Logger } from 'pino';
import type { CompanyProfile } from '../company/company-profile.js';
import type { ConversationStore } from '../conversations/conversation.store.js';
import type { ConversationTally } from '../conversations/conversation-tally.js';
import { currentAnswer } from '../conversations/current-answer.js';
import type { Metrics } from '../observability/metrics.js';
import type { ChatCompletion } from '../providers/chat/chat-model.js';
import { EmbedderError } from '../retrieval/embedder.js';
import type { RetrievalService } from '../retrieval/retrieval.service.js';
import type { SparseVector } from '../retrieval/sparse-vector.js';
import type { AnswerSource } from '../storage/tables.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';
import { fallbackAnswer } from './fallback-answer.js';
import type { FoundAnswer, FoundAnswerFinder } from './found-answer.js';
import { knowledgeAnswer } from './knowledge-answer.js';
import type { AnswerStream, LlmAnswerer } from './llm-answerer.js';
import type { PastTurn } from './prompt.js';

export interface ChatRequest {
  message: string;
  sessionId: string | undefined;
}

export interface ChatAnswer {
  response: string;
  log_id: string;
  session_id: string;
  model_used: string;
  response_time: number;
  similar_found: number;
  learning_improved: boolean;
}

interface Answer {
  text: string;
  modelUsed: string;
  source: AnswerSource;
  /** The curated answer served as it is, if one was. */
  curatedAnswerId?: string;
  /** For answers the LLM gave: the prompt template's version and the tokens used. */
  promptVersion?: string;
  usage?: ChatCompletion['usage'];
  /** Why the LLM, asked, did not answer. */
  llmFailure?: string;
  /** The client went away mid-stream; the text is what had been written by then. */
  interrupted?: boolean;
  /** Whether the text has already gone to the stream, piece by piece. */
  streamed?: boolean;
}

/**
 * Answers a question: retrieval first, then the LLM if configured, else the best rated answer, the best
 * knowledge-base chunk or the profile. With a stream, the answer is also written to it as it is made.
 */
export class ChatService {
  constructor(
    private readonly dependencies: {
      conversations: ConversationStore;
      retrieval: RetrievalService;
      answers: FoundAnswerFinder;
      tally: ConversationTally;
      /** Undefined without an LLM. */
      llm: LlmAnswerer | undefined;
      profile: CompanyProfile;
      metrics: Metrics;
      logger: Logger;
      topK: number;
      /** RETRIEVAL_REPLY_THRESHOLD: without an LLM, the least score of a match served as the answer. */
      retrievalReplyThreshold: number;
      /** LOG_MESSAGE_TEXT: whether the answer's log line may carry the question's text. */
      logMessageText: boolean;
    },
  ) {}

  async answer(request: ChatRequest, stream?: AnswerStream): Promise<ChatAnswer> {
    const started = performance.now();
    const { conversations, retrieval, metrics, llm } = this.dependencies;
    const vector = await this.embed(request.message);
    const finding = vector
      ? this.dependencies.answers.find(vector, this.dependencies.topK)
      : Promise.resolve([]);
    // Only the LLM needs the session's history: it is read while the index's thread searches.
    const history = llm ? llm.history(request.sessionId) : Promise.resolve([]);
    history.catch(() => {}); // a failure surfaces where the history is awaited, if it is
    const found = await finding;
    metrics.retrievalDuration.observe((performance.now() - started) / 1000);
    const answer = await this.compose(request, history, found, stream);
    if (stream && !answer.streamed) {
      if (stream.signal.aborted) answer.interrupted = true;
      else stream.onDelta(answer.text);
    }
    const elapsedMs = performance.now() - started;
    const now = new Date().toISOString();
    const id = timeOrderedId();
    const sessionId = request.sessionId ?? timeOrderedId();
    await conversations.insert(
      {
        id,
        session_id: sessionId,
        user_message: request.message,
        ai_response: answer.text,
        model_used: answer.modelUsed,
        answer_source: answer.source,
        response_time_ms: elapsedMs,
        similar_found: found.length,
        rating: null,
        feedback_text: null,
        rated_at: null,
        curated_answer_id: answer.curatedAnswerId ?? null,
        prompt_version: answer.promptVersion ?? null,
        prompt_tokens: answer.usage?.promptTokens ?? null,
        completion_tokens: answer.usage?.completionTokens ?? null,
        llm_failure: answer.llmFailure ?? null,
        interrupted: answer.interrupted ? 1 : 0,
        created_at: now,
        updated_at: now,
      },
      // Without a vector the conversation is embedded later, by the background re-embedding.
      vector && retrieval.encode(vector),
    );
    this.dependencies.tally.conversationStored(vector !== undefined);
    this.logAnswer(id, request.message, answer, found.length, elapsedMs);
    metrics.aiResponses.inc({ status: answer.interrupted ? 'interrupted' : answer.source });
    return {
      response: answer.text,
      log_id: id,
      session_id: sessionId,
      model_used: answer.modelUsed,
      response_time: Math.round(elapsedMs) / 1000,
      similar_found: found.length,
      learning_improved: found.length > 0,
    };
  }

  /** The question's vector; undefined when the embedder fails, and the question is answered without retrieval. */
  private async embed(message: string): Promise<SparseVector | undefined> {
    try {
      return await this.dependencies.retrieval.embed(message);
    } catch (error) {
      if (!(error instanceof EmbedderError)) throw error;
      this.dependencies.metrics.embedderFailures.inc({ reason: error.reason });
      this.dependencies.logger.warn(
        { reason: error.reason, error: error.message },
        'embedding failed; answering without retrieval',
      );
      return undefined;
    }
  }

  private logAnswer(
    logId: string,
    message: string,
    answer: Answer,
    similarFound: number,
    elapsedMs: number,
  ): void {
    const { logger, logMessageText } = this.dependencies;
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      {
        logId,
        source: answer.source,
        model: answer.modelUsed,
        similarFound,
        responseTimeMs: Math.round(elapsedMs * 100) / 100,
        messageLength: message.length,
        ...(answer.interrupted ? { interrupted: true } : {}),
        ...(logMessageText ? { message } : {}),
      },
      'answered',
    );
  }

  /**
   * A curated answer close enough is served as it is; else the LLM; else the best match close enough (a
   * rated answer, a knowledge-base chunk, or a curated answer introduced by its question); else the
   * company profile.
   */
  private async compose(
    request: ChatRequest,
    history: Promise<PastTurn[]>,
    found: FoundAnswer[],
    stream: AnswerStream | undefined,
  ): Promise<Answer> {
    const { llm, answers, metrics } = this.dependencies;
    const curated = answers.direct(found);
    if (curated) {
      await answers.recordHit(curated.curated.id);
      return {
        text: curated.curated.answer,
        modelUsed: 'curated',
        source: 'curated',
        curatedAnswerId: curated.curated.id,
      };
    }
    if (!llm) return this.withoutLlm(request.message, found);
    const outcome = await llm.answer(request.message, history, found, stream);
    switch (outcome.kind) {
      case 'answered':
        return {
          text: outcome.completion.text,
          modelUsed: outcome.completion.model,
          source: 'llm',
          promptVersion: outcome.promptVersion,
          usage: outcome.completion.usage,
          streamed: stream !== undefined,
        };
      case 'interrupted':
        return {
          text: outcome.text,
          modelUsed: outcome.model,
          source: 'llm',
          promptVersion: outcome.promptVersion,
          interrupted: true,
          streamed: true,
        };
      case 'failed':
        metrics.aiResponses.inc({ status: 'error' });
        return { ...this.withoutLlm(request.message, found), llmFailure: outcome.reason };
    }
  }

  /** The best match close enough (a rated answer, a knowledge-base chunk, a curated answer), else the profile. */
  private withoutLlm(message: string, found: readonly FoundAnswer[]): Answer {
    const best = found.find((match) => match.score >= this.dependencies.retrievalReplyThreshold);
    if (best?.kind === 'knowledge') {
      return { text: knowledgeAnswer(best.chunk), modelUsed: 'knowledge', source: 'knowledge' };
    }
    if (best) return { text: similarAnswerText(best), modelUsed: 'retrieval', source: 'retrieval' };
    return {
      text: fallbackAnswer(message, this.dependencies.profile),
      modelUsed: 'fallback',
      source: 'fallback',
    };
  }
}

/**
 * A match served without an LLM: a rated answer as it was given (or corrected); a curated answer that was
 * not close enough to be served as it is, introduced by the question it answers, so that the user can
 * tell whether it fits.
 */
function similarAnswerText(match: Exclude<FoundAnswer, { kind: 'knowledge' }>): string {
  if (match.kind === 'conversation') return currentAnswer(match.conversation);
  return `Точного ответа на этот вопрос у меня нет. На похожий вопрос «${match.curated.question}» ответ такой: ${match.curated.answer}`;
}
