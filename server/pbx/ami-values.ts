import { PbxError } from "./pbx.errors.js";

/**
 * Checks for every value bound for an AMI action, by what it means (an extension, a number, a
 * channel). On the wire a CR or LF would start a new header or a whole new action: the encoder
 * refuses those too, as the last line of defence, but nothing should get that far unchecked.
 */
const check = (field: string, value: string, re: RegExp, what: string): string => {
  if (typeof value !== "string" || !re.test(value)) throw new PbxError("INVALID_ARGUMENT", `${field}: ${what}`, field);
  return value;
};

/** Free text (caller ID names, reasons): printable, no CR/LF/NUL, bounded. */
export const safeText = (field: string, v: string, max = 80) =>
  check(field, v, new RegExp(`^[^\\r\\n\\0\\x01-\\x1f\\x7f]{0,${max}}$`), `must be at most ${max} printable characters`);

/** A dial string destination: E.164 or digits, e.g. +14155550123 or 1001. */
export const dialNumber = (field: string, v: string) => check(field, v, /^\+?[0-9]{2,20}$/, "must be digits with an optional leading +");

/** A PBX extension (the phone PJSIP/<ext>). */
export const extension = (field: string, v: string) => check(field, v, /^[0-9]{2,8}$/, "must be 2 to 8 digits");

/** A live channel name: Tech/resource-suffix, e.g. PJSIP/1001-00000002, Local/1001@ctx-00000000;1. */
export const channelName = (field: string, v: string) =>
  check(field, v, /^(PJSIP|SIP|IAX2|DAHDI|Local)\/[A-Za-z0-9_.@+-]{1,80}(;[12])?$/, "must be a channel name such as PJSIP/1001-00000002");

/** A device or queue member interface: PJSIP/1001. */
export const interfaceName = (field: string, v: string) => check(field, v, /^(PJSIP|SIP|IAX2|Local)\/[A-Za-z0-9_.@+-]{1,80}$/, "must be an interface such as PJSIP/1001");

/** A queue, context or dialplan name. */
export const identifier = (field: string, v: string) => check(field, v, /^[A-Za-z0-9_-]{1,64}$/, "must be letters, digits, '_' or '-'");

/** A channel variable name and value for Originate's Variable header. */
export const variable = (name: string, value: string): string => {
  check("variable", name, /^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "variable names are letters, digits and '_'");
  safeText(`variable.${name}`, value, 200);
  return `${name}=${value}`;
};
