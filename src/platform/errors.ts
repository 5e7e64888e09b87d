/** The closed set of error codes domain code may raise; mapped to HTTP status in one place. */
export const ERROR_STATUS = {
  invalid_input: 422,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  provider_unavailable: 503,
  /** Writes fail for lack of space. */
  storage_full: 503,
  /** The database cannot be reached, or its file was lost. */
  storage_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Sent as Retry-After: when the client may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function notFound(message: string): AppError {
  return new AppError('not_found', message);
}

/** One entry of a FastAPI-style validation error body, which existing clients parse. */
export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}
