import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { AppError, validationError } from "../platform/errors.js";
import { normalizePhone } from "../crm/phone-numbers.js";

export interface DialingRules {
  defaultCountry: string;
  /** Countries click-to-call may reach. */
  countries: string[];
  allowPremium: boolean;
}

/** Number types that cost the company money per minute or are not meant to be dialled out. */
const blockedTypes = new Set(["PREMIUM_RATE", "SHARED_COST", "VOIP", "PAGER", "UAN"]);

/**
 * Checks a number an agent wants to dial: a valid public number (E.164), in an allowed country,
 * not premium-rate or shared-cost unless allowed. Returns the E.164 form.
 */
export function checkDialable(written: string, rules: DialingRules): string {
  const n = normalizePhone(written, rules.defaultCountry);
  if (n.kind === "withheld" || n.kind === "invalid") throw validationError("number", n.kind === "invalid" ? `'${written.slice(0, 40)}' is ${n.reason}` : "a number is required");
  if (n.kind === "internal") throw validationError("number", "internal extensions are dialled from the phone, not through click-to-call");
  if (!n.valid) throw validationError("number", `'${written.slice(0, 40)}' is not a valid number`);
  const parsed = parsePhoneNumberFromString(n.number, rules.defaultCountry as CountryCode)!;
  const country = parsed.country ?? "";
  if (!rules.countries.includes(country))
    throw new AppError("DIALING_RULES", `calls to ${country || "that country"} are not allowed (allowed: ${rules.countries.join(", ")})`);
  const type = parsed.getType();
  if (!rules.allowPremium && type && blockedTypes.has(type))
    throw new AppError("DIALING_RULES", `${n.number} is a ${type.toLowerCase().replace("_", "-")} number; dialling it is not allowed`);
  return n.number;
}
