// The recordings search's filters, kept for the session: coming back from the player to the list
// finds the same search instead of an empty form.

export interface RecordingFilters {
  q: string;
  phone: string;
  agent: string;
  queue: string;
  /** Dates as the <input type="date"> gives them (YYYY-MM-DD, the user's day). */
  from: string;
  to: string;
  outcome: string;
  disposition: string;
  minSeconds: string;
}

export const filters = $state<RecordingFilters>({ q: "", phone: "", agent: "", queue: "", from: "", to: "", outcome: "", disposition: "", minSeconds: "" });

/** A local calendar day's start (or end) as an ISO instant: "from the 3rd" means the user's 3rd, not UTC's. */
function dayEdge(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const t = end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d);
  return t.toISOString();
}

/** The API's query (docs/api.md, GET /api/recordings); blank filters are left out. */
export function toQuery(f: RecordingFilters): Record<string, string | undefined> {
  const trimmed = (s: string | number) => String(s ?? "").trim() || undefined;
  return {
    q: trimmed(f.q),
    phone: trimmed(f.phone),
    agent: trimmed(f.agent),
    queue: trimmed(f.queue),
    from: dayEdge(f.from, false),
    to: dayEdge(f.to, true),
    outcome: trimmed(f.outcome),
    disposition: trimmed(f.disposition),
    // A number input's bound value is a number (or null when cleared), whatever the declared type.
    minSeconds: trimmed(f.minSeconds),
  };
}
