import { expect } from 'vitest';
import type { TestService } from '../../helpers/test-service.js';

export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
}

/** Wraps a test service so that every answer is recorded; `serverErrors()` lists any 5xx seen. */
export class Api {
  readonly seen: { method: string; url: string; status: number }[] = [];

  constructor(readonly service: TestService) {}

  async request(method: string, url: string, body?: unknown): Promise<ApiResponse> {
    const response = await this.service.request(method, url, body);
    this.seen.push({ method, url, status: response.status });
    return response;
  }

  /** A raw request, for bodies and headers the JSON helper cannot send. */
  async raw(method: string, url: string, init: RequestInit = {}): Promise<ApiResponse> {
    const response = await fetch(`${this.service.baseUrl}${url}`, { ...init, method });
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('application/json');
    this.seen.push({ method, url, status: response.status });
    return { status: response.status, body: json ? JSON.parse(text) : text, headers: response.headers };
  }

  serverErrors() {
    return this.seen.filter((entry) => entry.status >= 500);
  }

  /** Asks a question and returns the answer body (asserting 200). */
  async ask(message: string, sessionId?: string | null) {
    const body = sessionId === undefined ? { message } : { message, session_id: sessionId };
    const response = await this.request('POST', '/api/voice/process', body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as {
      response: string;
      log_id: string;
      session_id: string;
      model_used: string;
      response_time: number;
      similar_found: number;
      learning_improved: boolean;
    };
  }

  async rate(logId: string, rating: number, feedbackText?: string) {
    const response = await this.request('POST', '/api/voice/feedback', {
      log_id: logId,
      rating,
      ...(feedbackText === undefined ? {} : { feedback_text: feedbackText }),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as {
      success: boolean;
      message: string;
      log_id: string;
      will_be_used_for_training: boolean;
    };
  }
}

/** A FastAPI-style 422: `{detail: [{loc, msg, type}]}`, optionally with an entry at `loc`. */
export function expectValidationError(response: ApiResponse, loc?: (string | number)[]): void {
  expect(response.status, JSON.stringify(response.body)).toBe(422);
  expect(Array.isArray(response.body.detail)).toBe(true);
  expect(response.body.detail.length).toBeGreaterThan(0);
  for (const entry of response.body.detail) {
    expect(Array.isArray(entry.loc)).toBe(true);
    expect(typeof entry.msg).toBe('string');
    expect(entry.msg.length).toBeGreaterThan(0);
    expect(typeof entry.type).toBe('string');
  }
  if (loc) expect(response.body.detail.map((entry: { loc: unknown }) => entry.loc)).toContainEqual(loc);
}

export function expectNotFound(response: ApiResponse): void {
  expect(response.status).toBe(404);
  expect(typeof response.body.detail).toBe('string');
}

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
