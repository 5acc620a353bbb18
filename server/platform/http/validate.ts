import type { z } from "zod";
import { AppError } from "../errors.js";

/**
 * Parses a request body or query with a zod schema; the first problem becomes a 400 that names the
 * field (dotted path, e.g. "phones.1.number").
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
  const message = issue?.message ?? "invalid input";
  throw new AppError("VALIDATION", `${field}: ${message}`, field);
}
