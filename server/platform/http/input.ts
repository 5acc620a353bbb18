import { z } from "zod";

/**
 * The building blocks of every route's params, query and body schemas: ids, text and dates are
 * checked here, at the edge, so nothing the database would refuse (NUL, lone surrogates, integers
 * past 32 bits, years it cannot store) gets past a route and turns into a 500.
 */

/** Ids are PostgreSQL `integer` (serial): 1 to 2^31 − 1. */
export const maxId = 2_147_483_647;

/**
 * An id in a path or query string: plain decimal digits only. `0x1`, `1e0`, ` 1`, `+1` and `01`
 * are refused instead of quietly meaning client 1 (what `Number()` would make of them).
 */
export const idParam = z
  .string({ message: "must be an id (decimal digits)" })
  .regex(/^[1-9][0-9]{0,9}$/, "must be an id (decimal digits, no sign, spaces or leading zeros)")
  .transform(Number)
  .pipe(z.number().max(maxId, `must be an id of at most ${maxId}`));

/** An id in a JSON body: a whole number from 1 to 2^31 − 1. */
export const idNumber = z
  .number({ message: "must be an id (a number)" })
  .int("must be a whole number")
  .min(1, "must be a positive id")
  .max(maxId, `must be an id of at most ${maxId}`);

/** A whole number in a query string (limits, counts), in decimal digits, within [min, max]. */
export const queryInt = (min: number, max: number) =>
  z
    .string({ message: "must be a number (decimal digits)" })
    .regex(/^[0-9]{1,10}$/, "must be a number (decimal digits)")
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

// eslint-disable-next-line no-control-regex -- these are exactly what is looked for
const controlChars = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- same, plus tab and line breaks for one-line fields
const controlCharsOneLine = /[\u0000-\u001f\u007f-\u009f]/;
const loneSurrogate = /\p{Cs}/u;

/**
 * Why a string cannot be stored as text, or null when it can: NUL (PostgreSQL text refuses it) and
 * lone UTF-16 surrogates (not Unicode; JSON and UTF-8 cannot carry them) always; other control
 * characters unless `controls` allows them ("multiline" keeps tab, CR and LF).
 */
export function textProblem(s: string, controls: "none" | "multiline" | "any" = "any"): string | null {
  if (s.includes("\u0000")) return "may not contain NUL characters";
  if (loneSurrogate.test(s)) return "is not valid Unicode (lone surrogate)";
  if (controls === "multiline" && controlChars.test(s)) return "may not contain control characters";
  if (controls === "none" && controlCharsOneLine.test(s)) return "may not contain control characters or line breaks";
  return null;
}

/**
 * Text a user typed, trimmed, at most `max` characters. One-line by default (names, titles,
 * cities); `multiline` for notes and bodies, which keep tabs and line breaks. `required` is the
 * message for an empty (or all blank) value; without it empty text passes.
 */
export const text = (max: number, opts: { multiline?: boolean; required?: string } = {}) =>
  z
    .string({ message: "must be text" })
    .superRefine((s, ctx) => {
      const problem = textProblem(s, opts.multiline ? "multiline" : "none");
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(opts.required ? 1 : 0, opts.required)
        .max(max, `at most ${max} characters`),
    );

/** Dates the application accepts: anything else is a typo or a probe, and some would not store. */
export const minDate = new Date("1900-01-01T00:00:00Z");
export const maxDate = new Date("2100-12-31T23:59:59.999Z");

const isoDate = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date and time in ISO 8601 (`2026-11-25`, `2026-11-25T15:00:00Z`, with an offset), 1900 to 2100. */
export const dateInput = z
  .string({ message: "must be a date (ISO 8601, e.g. 2026-11-25T15:00:00Z)" })
  .transform((s, ctx) => {
    const m = isoDate.exec(s.trim());
    const d = m ? new Date(s.trim()) : null;
    if (!m || !d || Number.isNaN(d.getTime()) || !calendarDay(m)) {
      ctx.addIssue({ code: "custom", message: "must be a date (ISO 8601, e.g. 2026-11-25T15:00:00Z)" });
      return z.NEVER;
    }
    if (d < minDate || d > maxDate) {
      ctx.addIssue({ code: "custom", message: "must be a date between 1900 and 2100" });
      return z.NEVER;
    }
    return d;
  });

/**
 * A date in an answer the server builds as a `Date` and JSON sends as its ISO 8601 string: `Date`
 * in the server's types (z.infer), a date-time string in the OpenAPI document and the console's
 * generated types. For the document only: answers are not parsed with it.
 */
export const sentDate = z.date().meta({ format: "date-time" });

/** Rejects what Date would silently roll over (2026-02-31 is not 3 March). */
function calendarDay(m: RegExpExecArray): boolean {
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/**
 * Every string anywhere in a parsed JSON body, query or params that PostgreSQL or JSON cannot carry:
 * the dotted path of the first one, and why. The last line of defence for fields whose schema
 * does not use `text()`.
 */
export function findBadText(input: unknown, path: string[] = []): { field: string; message: string } | null {
  if (typeof input === "string") {
    const problem = textProblem(input);
    return problem ? { field: path.join(".") || "body", message: problem } : null;
  }
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const bad = findBadText(input[i], [...path, String(i)]);
      if (bad) return bad;
    }
    return null;
  }
  if (input && typeof input === "object") {
    for (const [k, v] of Object.entries(input)) {
      const keyProblem = textProblem(k);
      if (keyProblem) return { field: [...path, "(key)"].join("."), message: keyProblem };
      const bad = findBadText(v, [...path, k]);
      if (bad) return bad;
    }
  }
  return null;
}
