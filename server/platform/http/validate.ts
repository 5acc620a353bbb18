import { z } from "zod";
import { AppError } from "../errors.js";
import { findBadText, idParam } from "./input.js";

/**
 * Parses a request body, query or params with a zod schema; the first problem becomes a 400 that
 * names the field (dotted path, e.g. "phones.1.number"). Text PostgreSQL cannot store (NUL, lone
 * surrogates) is refused here for every field, whatever its schema says.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const bad = findBadText(input);
  if (bad) throw new AppError("VALIDATION", `${bad.field}: ${bad.message}`, bad.field);
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
  const message = issue?.message ?? "invalid input";
  throw new AppError("VALIDATION", `${field}: ${message}`, field);
}

/** A route's id parameter (`/clients/:id`): decimal, 1 to 2^31 − 1; a 400 naming it otherwise. */
export function pathId(params: Record<string, string | string[] | undefined>, name = "id"): number {
  return parse(z.object({ [name]: idParam }), { [name]: params[name] })[name] as number;
}
