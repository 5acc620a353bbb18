// The agent's workspace: the status the PBX believes, and the calls ringing or up on the agent's
// phone (screen pops, the working call, wrap-up forms). Socket handlers change this state directly,
// so a pop renders as soon as its event arrives; GET /api/me/workspace restores it after a page
// load or a reconnect.
import { api, ApiError, errorMessage } from "./api";
import { syncAlerts, type RingingAlert } from "./alerts.svelte";
import { formatPhone } from "./format";
import { toast } from "./toasts.svelte";
import type {
  AgentStatus,
  CallOffer,
  CallState,
  CodeOption,
  PbxStatus,
  PopClient,
  WithdrawReason,
  Workspace,
} from "./types";

export interface Option {
  value: string;
  label: string;
}

export type Phase = CallState | "wrapup" | "gone";

export interface WorkCall {
  id: string;
  offer: CallOffer;
  phase: Phase;
  /** Local clock when the pop arrived (the wait timer counts from here). */
  receivedAt: number;
  answeredAt: string | null;
  endedAt: number | null;
  outcome: string | null;
  talkSeconds: number | null;
  /** The server put the agent in wrap-up for this call. */
  wrapupExpected: boolean;
  transferredTo: string | null;
  /** Why the card went away, shown briefly in its place. */
  goneNote: string | null;
  /** The client this call is about: the only match, the agent's pick, or one linked later. */
  clientId: number | null;
  /** A client linked after the pop (created or searched), when it is not among offer.clients. */
  linked: { id: number; name: string } | null;
  note: string;
  disposition: string;
  saving: boolean;
  error: string | null;
}

export const workspace = $state<{
  loaded: boolean;
  status: AgentStatus | null;
  /** The agent's PBX when the server cannot reach it (the console says so); null when it can. */
  pbxDown: PbxStatus | null;
  pauseCodes: Option[];
  dispositions: Option[];
  wrapupSeconds: number;
  demoPhone: boolean;
  /** Demo: a person answers the simulated phone (the simulator's auto-answer is off). */
  demoManual: boolean;
  /** The simulator confirmed the current demoManual setting. */
  demoManualApplied: boolean;
  calls: WorkCall[];
  statusBusy: boolean;
}>({
  loaded: false,
  status: null,
  pbxDown: null,
  pauseCodes: [],
  dispositions: [],
  wrapupSeconds: 0,
  demoPhone: false,
  demoManual: true,
  demoManualApplied: false,
  calls: [],
  statusBusy: false,
});

/** Accepts plain strings or {code,label}-like objects, since both are common for code lists. */
export function toOptions(list: CodeOption[] | undefined): Option[] {
  return (list ?? []).map((o) => {
    // Codes (lunch, after-call-work) read better capitalised; labels (Follow-up needed) stay as written.
    if (typeof o === "string") return { value: o, label: /^[a-z0-9_-]+$/.test(o) ? humanize(o) : o };
    const value = o.code ?? o.id ?? o.value ?? o.label ?? o.name ?? "";
    return { value, label: o.label ?? o.name ?? humanize(value) };
  });
}

/** "after-call-work" → "After call work". */
export function humanize(code: string): string {
  const s = code.replace(/[-_]+/g, " ").trim();
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

export function labelOf(options: Option[], value: string | null | undefined): string {
  if (!value) return "";
  return options.find((o) => o.value === value)?.label ?? (/^[a-z0-9_-]+$/.test(value) ? humanize(value) : value);
}

/** A person named in a payload, whether as a display name or as {id, displayName}. */
export function personName(p: { displayName: string } | string | null | undefined): string | null {
  if (!p) return null;
  return typeof p === "string" ? p : p.displayName;
}

// ---- ordering of events against snapshots -------------------------------------------------------

/** Bumped by every socket event; a snapshot does not overwrite what changed after it was asked for. */
let eventSeq = 0;
const touched = new Map<string, number>();
let statusTouched = 0;

function touch(callId: string): void {
  touched.set(callId, ++eventSeq);
}

const find = (callId: string): WorkCall | undefined => workspace.calls.find((c) => c.id === callId);

/** One client owns the number: that one. Several: nobody until the agent picks. */
function defaultClient(o: CallOffer): number | null {
  const clients = o.clients?.length ? o.clients : o.client ? [o.client] : [];
  return clients.length === 1 ? clients[0]!.id : null;
}

// ---- drafts: what the agent typed survives a reload of the tab ----------------------------------

const draftKey = (id: string) => `crm.call-draft.${id}`;

interface Draft {
  note: string;
  disposition: string;
  clientId: number | null;
  linked: { id: number; name: string } | null;
}

/** Called by the call card whenever the notes, disposition or client change. */
export function keepDraft(c: WorkCall): void {
  const d: Draft = { note: c.note, disposition: c.disposition, clientId: c.clientId, linked: c.linked };
  try {
    if (d.note || d.disposition || d.linked) sessionStorage.setItem(draftKey(c.id), JSON.stringify(d));
  } catch {
    // Without storage the draft lasts as long as the page.
  }
}

function readDraft(id: string): Draft | null {
  try {
    const raw = sessionStorage.getItem(draftKey(id));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

function dropDraft(id: string): void {
  try {
    sessionStorage.removeItem(draftKey(id));
  } catch {
    // Nothing to drop.
  }
}

function newCall(o: CallOffer): WorkCall {
  const draft = readDraft(o.callId);
  return {
    id: o.callId,
    offer: normalizeOffer(o),
    phase: o.state ?? "ringing",
    receivedAt: Date.now(),
    answeredAt: o.answeredAt ?? null,
    endedAt: null,
    outcome: null,
    talkSeconds: null,
    wrapupExpected: false,
    transferredTo: null,
    goneNote: null,
    clientId: draft ? draft.clientId : defaultClient(o),
    linked: draft?.linked ?? null,
    note: draft?.note ?? "",
    disposition: draft?.disposition ?? "",
    saving: false,
    error: null,
  };
}

/** Fills in the lists a partial payload may leave out, so the cards need no guards. */
function normalizeOffer(o: CallOffer): CallOffer {
  const fix = (c: PopClient): PopClient => ({ ...c, tags: c.tags ?? [] });
  const clients = (o.clients?.length ? o.clients : o.client ? [o.client] : []).map(fix);
  return {
    ...o,
    client: o.client ? fix(o.client) : null,
    caller: o.caller ?? { number: null, e164: null, withheld: true, valid: false },
    clients,
    history: o.history ?? [],
    tasks: o.tasks ?? [],
    callbacks: o.callbacks ?? [],
  };
}

/** The client shown on a card. */
export function chosenClient(c: WorkCall): PopClient | { id: number; name: string } | null {
  if (c.clientId === null) return null;
  return c.offer.clients.find((x) => x.id === c.clientId) ?? (c.linked?.id === c.clientId ? c.linked : null);
}

export function callerLabel(o: CallOffer): string {
  if (o.caller.withheld || !(o.caller.e164 ?? o.caller.number)) return "Number withheld";
  return formatPhone(o.caller.e164 ?? o.caller.number ?? "");
}

function applyOffer(o: CallOffer): void {
  const existing = find(o.callId);
  if (!existing) {
    workspace.calls.push(newCall(o));
    return;
  }
  const prevClients = existing.offer.clients;
  existing.offer = normalizeOffer(o);
  if (existing.phase !== "wrapup") existing.phase = o.state ?? existing.phase;
  existing.goneNote = null;
  existing.transferredTo = null;
  if (o.answeredAt) existing.answeredAt = o.answeredAt;
  if (existing.clientId === null && prevClients.length === 0 && !existing.linked) existing.clientId = defaultClient(o);
}

// ---- socket events -------------------------------------------------------------------------------

export function onOffer(o: CallOffer): void {
  touch(o.callId);
  applyOffer(o);
  refreshAlerts();
}

const GONE_NOTE: Record<WithdrawReason, string> = {
  "answered-elsewhere": "Answered by a colleague",
  "caller-left": "Caller hung up",
  "no-answer": "Not answered",
};

let goneSeq = 0;

/** The card is emptied at once; the short note in its place fades out (cosmetic timer). */
function goAway(c: WorkCall, note: string): void {
  c.phase = "gone";
  c.goneNote = note;
  const id = c.id;
  dropDraft(id);
  const mine = ++goneSeq;
  gone.set(id, mine);
  setTimeout(() => {
    if (gone.get(id) !== mine) return;
    gone.delete(id);
    const i = workspace.calls.findIndex((x) => x.id === id && x.phase === "gone");
    if (i >= 0) workspace.calls.splice(i, 1);
  }, 4500);
}
const gone = new Map<string, number>();

export function onWithdrawn(p: { callId: string; reason: WithdrawReason }): void {
  touch(p.callId);
  const c = find(p.callId);
  if (c && (c.phase === "ringing" || c.phase === "gone")) goAway(c, GONE_NOTE[p.reason] ?? "Call withdrawn");
  refreshAlerts();
}

export function onAnswered(p: { callId: string; answeredAt: string }): void {
  touch(p.callId);
  const c = find(p.callId);
  if (c && c.phase !== "wrapup") {
    c.phase = "talking";
    c.answeredAt = p.answeredAt ?? new Date().toISOString();
  }
  refreshAlerts();
}

export function onHeld(p: { callId: string }, held: boolean): void {
  touch(p.callId);
  const c = find(p.callId);
  if (c && (c.phase === "talking" || c.phase === "held")) c.phase = held ? "held" : "talking";
}

export function onTransferred(p: { callId: string; to: string }): void {
  touch(p.callId);
  const c = find(p.callId);
  if (!c) return;
  // A blind transfer hands the caller on: the call leaves this console (the new agent wraps it up).
  c.transferredTo = p.to;
  goAway(c, `Transferred to ${p.to}`);
  refreshAlerts();
}

/** Why a click-to-call reached nobody (call:ended reason), as the card says it. */
const endReasons: Record<string, string> = {
  "agent-no-answer": "Your phone did not answer: call not placed",
  "agent-busy": "Your phone was busy: call not placed",
  "customer-no-answer": "No answer from the customer",
  busy: "The customer's line is busy",
  failed: "The call could not be placed",
};

export function onEnded(p: { callId: string; outcome: string; reason?: string | null; talkSeconds: number | null; wrapup: boolean }): void {
  touch(p.callId);
  const c = find(p.callId);
  if (!c) return;
  if (c.offer.spy && c.phase !== "gone") {
    // A supervisor's listen-in: nothing to wrap up.
    goAway(c, "Listening ended");
  } else if (p.reason && !p.wrapup && c.phase !== "gone") {
    // A click-to-call that reached nobody: nothing to wrap up, the card says why and goes.
    goAway(c, endReasons[p.reason] ?? "Call not connected");
  } else if (c.phase === "ringing") {
    goAway(c, c.offer.direction === "outbound" ? "Call not connected" : "Caller hung up");
  } else if (c.phase !== "gone") {
    c.phase = "wrapup";
    c.endedAt = Date.now();
    c.outcome = p.outcome;
    c.talkSeconds = p.talkSeconds;
    c.wrapupExpected = p.wrapup;
  }
  refreshAlerts();
}

let pbxTouched = 0;

/** pbx:status: the PBX was lost or found again (agent states follow as agent:state). */
export function onPbxStatus(p: PbxStatus): void {
  if (workspace.pbxDown === null && p.reachable) return;
  if (workspace.pbxDown && workspace.pbxDown.pbx !== p.pbx) return;
  pbxTouched = ++eventSeq;
  workspace.pbxDown = p.reachable ? null : p;
}

export function onAgentState(s: AgentStatus): void {
  statusTouched = ++eventSeq;
  workspace.status = s;
}

/** Sound, notifications and title follow the inbound calls ringing now. */
function refreshAlerts(): void {
  const ringing: RingingAlert[] = workspace.calls
    .filter((c) => c.phase === "ringing" && c.offer.direction === "inbound")
    .map((c) => {
      const client = chosenClient(c);
      const who = client?.name ?? (c.offer.clients.length > 1 ? `${c.offer.clients.length} possible clients` : "New caller");
      const parts = [callerLabel(c.offer), c.offer.queue ? `queue ${c.offer.queue}` : null, c.offer.dialed?.label].filter(Boolean);
      return { id: c.id, title: `Incoming call · ${who}`, body: parts.join(" · ") };
    });
  syncAlerts(ringing);
}

// ---- snapshot ------------------------------------------------------------------------------------

let inFlight: Promise<void> | null = null;
let again = false;

/** GET /api/me/workspace; concurrent asks (page load + socket connect) share one request. */
export function refreshWorkspace(): Promise<void> {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = (async () => {
    do {
      again = false;
      await loadOnce();
    } while (again);
  })().finally(() => (inFlight = null));
  return inFlight;
}

async function loadOnce(): Promise<void> {
  const asked = eventSeq;
  let ws: Workspace;
  try {
    ws = await api.get<Workspace>("/api/me/workspace");
  } catch {
    // The phone bar keeps what it had; the next reconnect asks again.
    return;
  }
  workspace.pauseCodes = toOptions(ws.pauseCodes);
  workspace.dispositions = toOptions(ws.dispositions);
  workspace.wrapupSeconds = ws.wrapupSeconds ?? 0;
  workspace.demoPhone = !!ws.demoPhone;
  if (workspace.demoPhone && manualFor !== ws.user?.id) {
    // When the console loads for the agent, a person plays the phone: auto-answer goes off (unless
    // this agent switched it back on earlier in this browser).
    manualFor = ws.user?.id ?? null;
    void setDemoManual(readManual(manualFor));
  }
  if (statusTouched <= asked) workspace.status = ws.status ?? null;
  if (pbxTouched <= asked) workspace.pbxDown = ws.pbx && !ws.pbx.reachable ? ws.pbx : null;

  const live = new Set<string>();
  for (const o of ws.calls ?? []) {
    live.add(o.callId);
    if ((touched.get(o.callId) ?? 0) > asked) continue;
    applyOffer(o);
  }
  // Calls we showed that the phone no longer has ended while we were away.
  for (const c of [...workspace.calls]) {
    if (live.has(c.id) || (touched.get(c.id) ?? 0) > asked) continue;
    if (c.phase === "ringing") workspace.calls.splice(workspace.calls.indexOf(c), 1);
    else if (c.phase === "talking" || c.phase === "held") {
      c.phase = "wrapup";
      c.endedAt = Date.now();
      c.wrapupExpected = true;
    }
  }
  workspace.loaded = true;
  refreshAlerts();
}

/** After sign-out: nothing of the last agent's calls stays on screen. */
export function resetWorkspace(): void {
  manualFor = null;
  workspace.demoManualApplied = false;
  workspace.loaded = false;
  workspace.status = null;
  workspace.pbxDown = null;
  workspace.calls.splice(0);
  workspace.demoPhone = false;
  touched.clear();
  refreshAlerts();
}

// ---- actions -------------------------------------------------------------------------------------

/** The server's own words: a 403 here is a dialing rule, not a missing role. */
export function actionMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return errorMessage(err);
}

const callPath = (id: string, action: string) => `/api/calls/${encodeURIComponent(id)}/${action}`;

export async function setStatus(state: "available" | "paused" | "logged-out", reason?: string): Promise<void> {
  workspace.statusBusy = true;
  try {
    const s = await api.post<AgentStatus>("/api/me/status", reason ? { state, reason } : { state });
    if (s) {
      statusTouched = ++eventSeq;
      workspace.status = s;
    }
  } catch (err) {
    toast({ kind: "error", title: "Could not change your status", message: actionMessage(err) });
  } finally {
    workspace.statusBusy = false;
  }
}

export async function hangup(c: WorkCall): Promise<void> {
  try {
    await api.post(callPath(c.id, "hangup"));
  } catch (err) {
    toast({ kind: "error", title: "Could not hang up", message: actionMessage(err) });
  }
}

export async function transfer(c: WorkCall, to: string): Promise<boolean> {
  try {
    // No toast: call:transferred replaces the card with "Transferred to …".
    await api.post(callPath(c.id, "transfer"), { to });
    return true;
  } catch (err) {
    toast({ kind: "error", title: "Could not transfer the call", message: actionMessage(err) });
    return false;
  }
}

export async function saveWrapup(c: WorkCall): Promise<void> {
  if (!c.disposition) {
    c.error = "Choose a disposition.";
    return;
  }
  c.saving = true;
  c.error = null;
  try {
    const body: Record<string, unknown> = { disposition: c.disposition };
    if (c.note.trim()) body.note = c.note.trim();
    if (c.clientId !== null) body.clientId = c.clientId;
    await api.post(callPath(c.id, "wrapup"), body);
    dropDraft(c.id);
    const i = workspace.calls.indexOf(c);
    if (i >= 0) workspace.calls.splice(i, 1);
    const who = chosenClient(c)?.name;
    toast({ kind: "success", title: "Wrap-up saved", message: who ? `The note is on ${who}'s timeline.` : undefined });
  } catch (err) {
    c.error = actionMessage(err);
  } finally {
    c.saving = false;
  }
}

/** Closes an ended call without a wrap-up (when the server did not ask for one). */
export function dismissCall(c: WorkCall): void {
  dropDraft(c.id);
  const i = workspace.calls.indexOf(c);
  if (i >= 0) workspace.calls.splice(i, 1);
}

export function pickClient(c: WorkCall, client: { id: number; name: string } | null): void {
  c.clientId = client?.id ?? null;
  if (client && !c.offer.clients.some((x) => x.id === client.id)) c.linked = { id: client.id, name: client.name };
  refreshAlerts();
}

/** Called by the client form when it created a client for a call ("Create client" on a pop). */
export function linkCreatedClient(callId: string, client: { id: number; name: string }): void {
  const c = find(callId);
  if (c && c.clientId === null) pickClient(c, client);
}

export async function originate(number: string, clientId?: number | null): Promise<void> {
  try {
    const r = await api.post<{ number: string } | undefined>("/api/calls/originate", clientId ? { number, clientId } : { number });
    toast({ kind: "info", title: `Calling ${formatPhone(r?.number ?? number)}`, message: "Your phone rings first: pick it up to connect." });
  } catch (err) {
    toast({ kind: "error", title: "Could not place the call", message: actionMessage(err) });
  }
}

// ---- the simulated phone (demo) ------------------------------------------------------------------

let manualFor: number | null = null;
const manualKey = (userId: number | null) => `crm.demo.manual.${userId ?? "?"}`;

function readManual(userId: number | null): boolean {
  try {
    return localStorage.getItem(manualKey(userId)) !== "0";
  } catch {
    return true;
  }
}

/** "I'll answer myself": POST /api/demo/phone/manual {on}; remembered per agent in this browser. */
export async function setDemoManual(on: boolean): Promise<void> {
  workspace.demoManual = on;
  workspace.demoManualApplied = false;
  if (await demoPhone("manual", { on })) workspace.demoManualApplied = workspace.demoManual === on;
  try {
    localStorage.setItem(manualKey(manualFor), on ? "1" : "0");
  } catch {
    // Not remembered; the default (answer myself) comes back next time.
  }
}

export type DemoAction = "answer" | "hangup" | "hold" | "resume" | "manual" | "call-me";

export async function demoPhone(action: DemoAction, body?: unknown): Promise<boolean> {
  try {
    await api.post(`/api/demo/phone/${action}`, body);
    return true;
  } catch (err) {
    toast({ kind: "error", title: "Simulated phone", message: actionMessage(err) });
    return false;
  }
}
