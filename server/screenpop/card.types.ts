/** What the screen pop shows (interfaces.md: call:offer), and the per-client part the cache keeps. */
import type { CardScript } from "../scripts/script-catalog.js";

export interface CardClient {
  id: number;
  name: string;
  kind: string;
  company: string | null;
  stage: string;
  tags: string[];
  vip: boolean;
  owner: { id: number; displayName: string } | null;
  leadSource: string | null;
}

export type UserRef = { id: number; displayName: string } | null;

export type HistoryItem =
  | { type: "call"; id: number; at: Date; direction: string; outcome: string; agent: string | null; agentUser: UserRef; queue: string | null; talkSeconds: number | null; disposition: string | null }
  | { type: "note"; id: number; at: Date; body: string; author: UserRef };

export type CardTask = { id: number; title: string; dueAt: Date | null };

export type CardContact = { id: number; name: string; title: string | null };

/** Built once per call, sent to every ringing agent. */
export interface Card {
  callId: string;
  direction: "inbound" | "outbound";
  queue: string | null;
  caller: { number: string; e164: string | null; withheld: boolean; valid: boolean };
  dialed: { number: string; label: string | null };
  /** The caller's client when the number has exactly one owner (or click-to-call named it); else null. */
  client: CardClient | null;
  /** Every client owning the number (several: the agent picks). */
  clients: CardClient[];
  contact: CardContact | null;
  /** History and tasks of `client` (empty when several: see byClient). */
  history: HistoryItem[];
  tasks: CardTask[];
  /** Per owning client, so the agent's pick shows the right history. */
  byClient: Record<number, { history: HistoryItem[]; tasks: CardTask[] }>;
  callbacks: unknown[];
  /** The call script chosen by the script rules (docs/scripts.md), ready before answer; null: none. */
  script: CardScript | null;
  queuedAt: Date | null;
  ringingAt: Date | null;
  /** A supervisor's listen / whisper / barge call (CRM_SPY on the originate): whose call, in which mode. */
  spy?: { agent: string; mode: string } | null;
}

/** One client as every card of theirs shows it: the client, last interactions, open tasks, contacts. */
export interface ClientCardData {
  client: CardClient;
  history: HistoryItem[];
  tasks: CardTask[];
  /** Contacts that own a number (the ones a caller can be). */
  contacts: CardContact[];
}
