// Display helpers: dates, phone numbers, search-box heuristics.
import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import type { Phone } from "./types";

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const dateFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** "just now", "5 minutes ago", "yesterday", "in 3 hours"; older than a week becomes a date. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const diff = (t - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return "just now";
  if (abs < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), "hour");
  if (abs < 7 * 86400) return rtf.format(Math.round(diff / 86400), "day");
  return dateFmt.format(t);
}

export const formatDate = (iso: string | null | undefined): string => (iso ? dateFmt.format(new Date(iso)) : "");
export const formatDateTime = (iso: string | null | undefined): string =>
  iso ? fullFmt.format(new Date(iso)) : "";

/** A due date relative to today: "Today 14:00", "Tomorrow 09:30", "12 Mar, 10:00". */
export function formatDue(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const day = dayDiff(d, now);
  if (day === 0) return `Today ${timeFmt.format(d)}`;
  if (day === 1) return `Tomorrow ${timeFmt.format(d)}`;
  if (day === -1) return `Yesterday ${timeFmt.format(d)}`;
  return dateTimeFmt.format(d);
}

/** Whole calendar days from `now` to `d` in local time. */
export function dayDiff(d: Date, now = new Date()): number {
  const a = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const b = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  return Math.round((a - b) / 86400000);
}

/** True when the search text reads as a phone number rather than a name. */
export function looksLikePhone(text: string): boolean {
  const t = text.trim();
  return /^[\d+\s\-().]+$/.test(t) && (t.match(/\d/g)?.length ?? 0) >= 3;
}

/** A readable form of a stored number: E.164 gets international grouping, extensions stay digits. */
export function formatPhone(number: string): string {
  if (!number.startsWith("+")) return number;
  const parsed = parsePhoneNumberFromString(number);
  return parsed ? parsed.formatInternational() : number;
}

/** A dialed number as a person reads it: E.164 grouped, a 10-digit toll-free DID as "800 555 1000". */
export function formatDialed(number: string): string {
  if (number.startsWith("+")) return formatPhone(number);
  const m = /^1?(\d{3})(\d{3})(\d{4})$/.exec(number);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : number;
}

export function primaryPhone(phones: Phone[]): Phone | undefined {
  const own = phones.filter((p) => p.contactId == null);
  return own.find((p) => p.isPrimary) ?? own[0] ?? phones[0];
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0][0], words[words.length - 1][0]] : [words[0]?.[0] ?? "?"];
  return letters.join("").toUpperCase();
}

/** Converts an ISO string to the value of an <input type="datetime-local"> (local time). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Message text for a field error: drops the "field: " prefix the server adds. */
export function fieldMessage(field: string | undefined, message: string): string {
  if (field && message.startsWith(`${field}: `)) return message.slice(field.length + 2);
  return message;
}
