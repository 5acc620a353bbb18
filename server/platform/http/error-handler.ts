import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError } from "../errors.js";
import { isInvalidInputError } from "../db/db-errors.js";
import type { Logger } from "../logger.js";

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new AppError("NOT_FOUND", `no route ${req.method} ${req.path}`));
}

/** The only place errors are turned into HTTP answers. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = toAppError(err);
    if (e.status >= 500) log.error({ err, method: req.method, path: req.path }, "request failed");
    else if (e.field === "input" && !(err instanceof AppError))
      log.warn({ method: req.method, path: req.path, reason: String((err as Error).message).split("\n").pop() }, "database refused a value edge validation let through");
    if (e.retryAfterSeconds) res.setHeader("Retry-After", String(e.retryAfterSeconds));
    res.status(e.status).json({
      error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) },
    });
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  // body-parser's errors carry a type and a status.
  if (e?.type === "entity.too.large") return new AppError("PAYLOAD_TOO_LARGE", "request body is too large");
  if (e?.type === "entity.parse.failed") return new AppError("VALIDATION", "body: malformed JSON", "body");
  if (e?.type === "encoding.unsupported" || e?.type === "charset.unsupported")
    return new AppError("UNSUPPORTED_MEDIA_TYPE", e.message ?? "unsupported encoding");
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500)
    return new AppError("VALIDATION", e.message ?? "bad request", "body");
  // A value the database refused that edge validation let through: the client's fault, not ours.
  if (isInvalidInputError(err)) return new AppError("VALIDATION", "input: a value is not valid (the database refused it)", "input");
  return new AppError("INTERNAL", "internal error");
}
