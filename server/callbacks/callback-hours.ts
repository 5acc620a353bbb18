import ct from "countries-and-timezones";
import { parsePhoneNumberFromString } from "libphonenumber-js";

/** A queue's calendar for callbacks (callback_settings). */
export interface QueueHours {
  timezone: string;
  /** Opening hours per weekday ("mon".."sun"), in the queue's zone; null: always open. */
  hours: Partial<Record<Weekday, [string, string][]>> | null;
  /** Closed days ("2026-12-25"), in the queue's zone. */
  holidays: string[];
  /** The customer's local hours in which they may be called ("08:00"–"21:00"). */
  callWindow: [string, string];
}

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
const weekdays: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const formats = new Map<string, Intl.DateTimeFormat>();

/** Local date, weekday and minute of the day of `at` in `zone`. */
function local(at: Date, zone: string): { day: string; weekday: Weekday; minute: number } {
  let f = formats.get(zone);
  if (!f) formats.set(zone, (f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", weekday: "short" })));
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = weekdays[["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday!)]!;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, weekday, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

const minuteOf = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
};
const within = (minute: number, [from, to]: [string, string]) => minute >= minuteOf(from) && minute < minuteOf(to);

/**
 * The zones a number may be in. The country comes from the number; a country with several zones
 * (US, CA, RU, AU ...) gives all of them, and the calling window must then hold in every one: with
 * nothing better known, nobody is called at 7 am their time because the office is an hour ahead.
 */
export function zonesOf(number: string, fallback: string): string[] {
  const country = parsePhoneNumberFromString(number)?.country;
  const zones = country ? ct.getCountry(country)?.timezones : undefined;
  return zones?.length ? zones.filter((z) => isZone(z)) : [fallback];
}

export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Whether the queue is open and the customer may be called at `at`. */
export function allowedAt(at: Date, q: QueueHours, customerZones: string[]): boolean {
  const office = local(at, q.timezone);
  if (q.holidays.includes(office.day)) return false;
  if (q.hours && !(q.hours[office.weekday] ?? []).some((span) => within(office.minute, span))) return false;
  return customerZones.every((z) => within(local(at, z).minute, q.callWindow));
}

/**
 * The first moment at or after `from` when the queue is open and the customer may be called, to
 * the minute; null when there is none within 14 days (a calendar with no opening at all).
 */
export function nextAllowed(from: Date, q: QueueHours, customerZones: string[]): Date | null {
  if (allowedAt(from, q, customerZones)) return from;
  // Openings start on whole minutes: step five minutes at a time, then back to the first minute.
  const step = 5 * 60_000;
  let t = Math.ceil(from.getTime() / 60_000) * 60_000;
  for (let i = 0; i < (14 * 24 * 60) / 5; i++, t += step)
    if (allowedAt(new Date(t), q, customerZones)) {
      let first = t;
      while (first - 60_000 > from.getTime() && allowedAt(new Date(first - 60_000), q, customerZones)) first -= 60_000;
      return new Date(first);
    }
  return null;
}
