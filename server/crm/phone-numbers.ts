import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

/**
 * What a written phone number turned out to be:
 * - e164: a public number, stored as +<country code><national number>;
 * - internal: an extension or short code (1001, 112) that has no E.164 form, kept as its digits;
 * - withheld: the caller hid their number (AMI shows "<unknown>", "anonymous", or nothing);
 * - invalid: anything else, with the reason.
 */
export type NormalizedPhone =
  | { kind: "e164"; number: string; country: string | null; valid: boolean }
  | { kind: "internal"; number: string }
  | { kind: "withheld" }
  | { kind: "invalid"; reason: string };

/** Longest run of digits an internal extension or short code may have. */
const maxInternalDigits = 6;
const maxInputLength = 40;

const withheld = new Set(["", "<unknown>", "unknown", "anonymous", "private", "restricted", "withheld", "unavailable"]);

/**
 * Reads any written form of a number ("(415) 555-0123", "+1 415.555.0123", "0049 30 1234567",
 * "tel:+14155550123") in `defaultCountry` when it has no country code. Never throws.
 */
export function normalizePhone(input: string, defaultCountry: string): NormalizedPhone {
  if (typeof input !== "string") return { kind: "invalid", reason: "not a string" };
  const trimmed = input.trim();
  if (withheld.has(trimmed.toLowerCase())) return { kind: "withheld" };
  if (trimmed.length > maxInputLength) return { kind: "invalid", reason: `longer than ${maxInputLength} characters` };
  let s = trimmed.replace(/^tel:/i, "");
  // An extension written after the number (x123, ext. 123) is not part of what rings.
  // Spaces (and the no-break spaces of copied numbers) are separators; CR, LF and other control
  // characters are not, and never reach a dial string.
  if (/[^0-9+()\-./ \t\u00a0]/.test(s)) return { kind: "invalid", reason: "only digits, +, spaces, ( ) - . / are allowed" };
  if ((s.match(/\+/g) ?? []).length > 1 || (s.includes("+") && !s.startsWith("+")))
    return { kind: "invalid", reason: "'+' may only start the number" };
  s = s.replace(/[()\-./ \t\u00a0]/g, "");
  if (s === "" || s === "+") return { kind: "invalid", reason: "no digits" };
  if (!s.startsWith("+") && s.length <= maxInternalDigits) return { kind: "internal", number: s };
  // "00" is the international call prefix in most of the world (NANP uses 011, which the parser knows).
  if (s.startsWith("00")) s = `+${s.slice(2)}`;
  const parsed = parsePhoneNumberFromString(s, defaultCountry as CountryCode);
  if (!parsed || !parsed.isPossible()) return { kind: "invalid", reason: "not a possible phone number" };
  return { kind: "e164", number: parsed.number, country: parsed.country ?? null, valid: parsed.isValid() };
}

/** The stored key of a number (E.164 or internal digits), or null when it cannot be stored. */
export function phoneKey(input: string, defaultCountry: string): string | null {
  const n = normalizePhone(input, defaultCountry);
  return n.kind === "e164" || n.kind === "internal" ? n.number : null;
}

/** True when a search text looks like a phone number rather than a name. */
export function looksLikePhone(text: string): boolean {
  return /^\s*(tel:)?\+?[0-9()\-./\s]{3,}$/i.test(text) && /[0-9]{3}/.test(text.replace(/\D/g, ""));
}
