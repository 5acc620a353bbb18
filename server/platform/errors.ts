/** Errors every module throws; the HTTP layer turns them into {"error":{code,message,field}}. */
export type ErrorCode =
  | "VALIDATION"
  | "UNAUTHENTICATED"
  | "BAD_CREDENTIALS"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RANGE_NOT_SATISFIABLE"
  | "RATE_LIMITED"
  | "NO_EXTENSION"
  | "DIALING_RULES"
  | "PBX_ERROR"
  | "PBX_DOWN"
  | "INTERNAL";

const statusOf: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  BAD_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMITED: 429,
  NO_EXTENSION: 409,
  DIALING_RULES: 403,
  PBX_ERROR: 502,
  PBX_DOWN: 503,
  INTERNAL: 500,
};

export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly field?: string,
    public readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return statusOf[this.code];
  }
}

export const validationError = (field: string, message: string): AppError =>
  new AppError("VALIDATION", `${field}: ${message}`, field);

export const notFound = (what: string): AppError => new AppError("NOT_FOUND", `${what} not found`);
