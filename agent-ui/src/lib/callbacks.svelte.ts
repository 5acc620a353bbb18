// Callbacks on the console: the offer in the phone dock (callback:offer → a card with "Call now"
// and the countdown to autodial; callback:gone or the PBX ringing the agent's phone takes it away),
// and the actions of "My callbacks", "Call back later" and the supervisor's page.
import type { ApiBody } from "../api/types";
import { api, ApiError, errorMessage } from "./api";
import { formatPhone } from "./format";
import { toast } from "./toasts.svelte";
import type { Callback, CallbackOffer, CallbackSource, CallOffer } from "./types";

export interface OfferedCallback {
  offer: CallbackOffer;
  /** "offered": waiting for Call now or the countdown; "dialing": the PBX is ringing the agent's phone. */
  phase: "offered" | "dialing";
  busy: boolean;
  error: string | null;
}

export const callbackDock = $state<{ offers: OfferedCallback[] }>({ offers: [] });

const findOffer = (id: number) => callbackDock.offers.find((o) => o.offer.callback.id === id);

export function onCallbackOffer(p: CallbackOffer): void {
  const existing = findOffer(p.callback.id);
  if (existing) {
    existing.offer = p;
    existing.phase = "offered";
    return;
  }
  callbackDock.offers.push({ offer: p, phase: "offered", busy: false, error: null });
}

export function onCallbackGone(p: { id: number; result?: string }): void {
  dropOffer(p.id);
}

function dropOffer(id: number): void {
  const i = callbackDock.offers.findIndex((o) => o.offer.callback.id === id);
  if (i >= 0) callbackDock.offers.splice(i, 1);
}

/** callback:changed: an offer that moved on (dialled by itself, cancelled, done) shows what it is now. */
export function onCallbackChangedForDock(cb: Callback): void {
  const o = findOffer(cb.id);
  if (!o) return;
  if (cb.status === "dialing") o.phase = "dialing";
  else if (cb.status !== "offered") dropOffer(cb.id);
}

/** The PBX rings the agent's phone for the callback: the normal call card takes over. */
export function onCallOfferForDock(c: CallOffer): void {
  const digits = (n: string | null | undefined) => (n ?? "").replace(/\D/g, "");
  const nums = [c.caller?.e164, c.caller?.number, c.dialed?.number].map(digits).filter(Boolean);
  for (const o of [...callbackDock.offers]) {
    const n = digits(o.offer.callback.number);
    if (o.phase === "dialing" || nums.some((x) => x.endsWith(n) || n.endsWith(x))) dropOffer(o.offer.callback.id);
  }
}

export function resetCallbackDock(): void {
  callbackDock.offers.splice(0);
}

const message = (err: unknown) => (err instanceof ApiError ? err.message : errorMessage(err));

/** "Call now" on an offer: POST /api/callbacks/:id/accept. */
export async function acceptOffer(o: OfferedCallback): Promise<void> {
  o.busy = true;
  o.error = null;
  try {
    await api.post(`/api/callbacks/${o.offer.callback.id}/accept`);
    o.phase = "dialing";
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      // Dialled by itself a moment earlier, or gone: the events say which.
      o.phase = "dialing";
    } else o.error = message(err);
  } finally {
    o.busy = false;
  }
}

/** One-click dial of one's own callback ("My callbacks"): POST /api/callbacks/:id/dial. */
export async function dialOwnCallback(cb: Callback): Promise<boolean> {
  try {
    await api.post(`/api/callbacks/${cb.id}/dial`);
    toast({ kind: "info", title: `Calling back ${cb.name ?? formatPhone(cb.number)}`, message: "Your phone rings first: pick it up to connect." });
    return true;
  } catch (err) {
    toast({ kind: "error", title: "Could not dial the callback", message: message(err) });
    return false;
  }
}

/** POST /api/callbacks's body, from the server's schema (server/callbacks/callbacks.schemas.ts). */
export type NewCallback = ApiBody<"/callbacks", "post">;
/** PATCH /api/callbacks/:id's body, from the same file. */
export type CallbackChanges = ApiBody<"/callbacks/{id}", "patch">;

/** "Call back later": POST /api/callbacks. Throws ApiError (the form shows the field). */
export async function createCallback(body: NewCallback): Promise<Callback & { merged?: boolean }> {
  return api.post<Callback & { merged?: boolean }>("/api/callbacks", body);
}

export async function patchCallback(id: number, body: CallbackChanges): Promise<Callback | null> {
  try {
    return await api.patch<Callback>(`/api/callbacks/${id}`, body);
  } catch (err) {
    toast({ kind: "error", title: "Could not change the callback", message: message(err) });
    return null;
  }
}

/** Why the customer is to be called back, as the card and lists say it. */
export function reasonOf(cb: Callback, waitSeconds?: number | null): string {
  const reasons: Record<CallbackSource, string> = {
    abandoned: waitSeconds ? `Abandoned call after ${Math.round(waitSeconds)} s in the queue` : "Abandoned call",
    ivr: "Asked in the IVR (pressed 1)",
    web: "Asked on the website",
    agent: "Scheduled by an agent",
  };
  return reasons[cb.source] ?? cb.source;
}

export const SOURCE_LABEL: Record<CallbackSource, string> = { abandoned: "Abandoned", ivr: "IVR", web: "Website", agent: "Agent" };
