import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A nullable column that inserts may leave out. */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** Where an answer came from; `model_used` reports the model name for `llm`. */
export type AnswerSource = 'llm' | 'curated' | 'retrieval' | 'knowledge' | 'fallback';

export interface ConversationTable {
  id: string;
  session_id: string;
  user_message: string;
  ai_response: string;
  model_used: string;
  answer_source: AnswerSource;
  response_time_ms: number;
  similar_found: number;
  /** The current rating (the newest feedback); the full history lives in `feedback`. */
  rating: number | null;
  feedback_text: string | null;
  rated_at: string | null;
  /** An administrator's better answer; training data and the curated answer made from it use it. */
  corrected_answer: Optional<string>;
  corrected_at: Optional<string>;
  /** The curated answer served as it is, when one was. */
  curated_answer_id: Optional<string>;
  /** answerKey() of ai_response: conversations that gave the same answer share it. */
  answer_key: Optional<string>;
  /** The prompt template's version, for answers the LLM gave. */
  prompt_version: Optional<string>;
  prompt_tokens: Optional<number>;
  completion_tokens: Optional<number>;
  /** Why the LLM did not answer when it was asked (its ChatModelError reason). */
  llm_failure: Optional<string>;
  /** 1 when the client went away mid-stream: the answer is what had been written by then. */
  interrupted: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface FeedbackTable {
  id: Generated<number>;
  conversation_id: string;
  rating: number;
  comment: string | null;
  created_at: string;
}

/** Vectors of anything retrieval indexes, tagged with the embedder that produced them. */
export interface EmbeddingTable {
  owner_kind: 'conversation';
  owner_id: string;
  embedder: string;
  vector: Buffer;
  created_at: string;
}

export interface StatusCheckTable {
  sequence: Generated<number>;
  id: string;
  client_name: string;
  created_at: string;
}

export interface ServiceStateTable {
  key: string;
  value: string;
  updated_at: string;
}

/** Background work one replica at a time runs: who holds it and until when. */
export interface LeaseTable {
  name: string;
  holder: string;
  expires_at_ms: number;
  acquired_at: string;
}

/** An answer an administrator vouches for: served directly when a question matches it closely enough. */
export interface CuratedAnswerTable {
  id: string;
  question: string;
  /** JSON array of other phrasings of the question. */
  alternatives: string;
  answer: string;
  /**
   * admin: written in the admin API; correction: made from a corrected conversation; promotion: an answer
   * rated 5 in enough sessions and never rated 2 or lower.
   */
  origin: 'admin' | 'correction' | 'promotion';
  /** Only active answers are served; review holds them back. */
  status: 'active' | 'review';
  hits: Generated<number>;
  last_hit_at: string | null;
  source_conversation_id: Optional<string>;
  /** The answer key a promotion made this answer from. */
  source_answer_key: Optional<string>;
  /** Why the status was last set by the learning pass (a promotion or a demotion); null when set by an admin. */
  status_reason: Optional<string>;
  status_changed_at: Optional<string>;
  created_at: string;
  updated_at: string;
}

/** A company document or Q&A list in the knowledge base; its text lives in its chunks. */
export interface KnowledgeDocumentTable {
  id: string;
  title: string;
  format: 'markdown' | 'text' | 'qa_jsonl';
  source_name: string | null;
  /** SHA-256 (hex) of the content with normalised line endings; unique. */
  content_hash: string;
  chunk_count: number;
  byte_size: number;
  created_at: string;
}

/** A piece of a document, retrieved on its own. */
export interface KnowledgeChunkTable {
  id: string;
  document_id: string;
  position: number;
  /** The headings above the text (Markdown), the question (Q&A), else empty. */
  title: string;
  text: string;
  question: string | null;
  answer: string | null;
  vector: Buffer;
  embedder: string;
}

/** An API key made through the admin API, kept as a digest. */
export interface ApiKeyTable {
  id: string;
  name: string;
  role: 'admin' | 'user';
  digest: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
}

export interface DatabaseSchema {
  api_keys: ApiKeyTable;
  conversations: ConversationTable;
  curated_answers: CuratedAnswerTable;
  knowledge_documents: KnowledgeDocumentTable;
  knowledge_chunks: KnowledgeChunkTable;
  feedback: FeedbackTable;
  embeddings: EmbeddingTable;
  status_checks: StatusCheckTable;
  service_state: ServiceStateTable;
  leases: LeaseTable;
}

export type Conversation = Selectable<ConversationTable>;
export type NewConversation = Insertable<ConversationTable>;
export type Feedback = Selectable<FeedbackTable>;
