import { validationError } from "../platform/errors.js";
import { normalizePhone } from "./phone-numbers.js";
import type { PhoneInput } from "./clients.schemas.js";

export type PhoneTypeName = "mobile" | "work" | "home" | "fax" | "other";

export interface StoredPhone {
  number: string;
  raw: string;
  type: PhoneTypeName;
  isPrimary: boolean;
}

/**
 * Normalizes the numbers of one client or contact: each must be a valid public number or an
 * internal extension; duplicates collapse; exactly one is primary (the first, unless one is marked).
 * `field` names the list in errors ("phones" → "phones.2").
 */
export function normalizePhoneList(inputs: PhoneInput[], defaultCountry: string, field = "phones"): StoredPhone[] {
  const out: StoredPhone[] = [];
  inputs.forEach((input, i) => {
    const raw = typeof input === "string" ? input : input.number;
    const n = normalizePhone(raw, defaultCountry);
    const where = typeof input === "string" ? `${field}.${i}` : `${field}.${i}.number`;
    if (n.kind === "invalid") throw validationError(where, `'${raw.slice(0, 60)}' is ${n.reason}`);
    if (n.kind === "withheld") throw validationError(where, "a phone number is required");
    if (n.kind === "e164" && !n.valid)
      throw validationError(where, `'${raw.slice(0, 60)}' is not a valid number (read as ${n.number}; national numbers are read in ${defaultCountry})`);
    if (out.some((p) => p.number === n.number)) return;
    out.push({
      number: n.number,
      raw: raw.trim(),
      type: typeof input === "string" ? "mobile" : (input.type ?? "mobile"),
      isPrimary: typeof input === "string" ? false : (input.isPrimary ?? false),
    });
  });
  const primary = out.findIndex((p) => p.isPrimary);
  out.forEach((p, i) => (p.isPrimary = i === (primary === -1 ? 0 : primary)));
  return out;
}
