import { AppError } from "../platform/errors.js";
import { allowed } from "../auth/roles.js";
import type { PublicUser } from "../auth/users.service.js";
import type { PhoneInput } from "./clients.schemas.js";
import { normalizePhoneList } from "./phone-input.js";

/**
 * Agents add and correct phone numbers but do not remove them: a client's numbers are what finds
 * the client when they call, and `phones: []` would silently end their screen pops. Removing a
 * number (or a contact) is a supervisor's right (roles.ts `can.removeClientData`).
 */
export async function assertKeepsNumbers(
  user: PublicUser,
  current: () => Promise<string[]>,
  next: PhoneInput[] | undefined,
  defaultCountry: string,
  field = "phones",
): Promise<void> {
  if (next === undefined || allowed(user.role, "removeClientData")) return;
  const kept = new Set(normalizePhoneList(next, defaultCountry, field).map((p) => p.number));
  const dropped = (await current()).filter((n) => !kept.has(n));
  if (dropped.length > 0)
    throw new AppError(
      "FORBIDDEN",
      `${field}: removing numbers (${dropped.slice(0, 5).join(", ")}) needs a supervisor; agents may add and edit numbers`,
      field,
    );
}
