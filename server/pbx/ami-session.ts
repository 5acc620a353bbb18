import { AmiParser, encodeMessage, unsafeValue, type AmiMessage } from "./ami-codec.js";
import { PbxError, pbxErrorFromMessage } from "./pbx.errors.js";

export interface ListResult {
  response: AmiMessage;
  events: AmiMessage[];
}

/** An action waiting for its answer; list actions also wait for their "...Complete" event. */
interface Pending {
  name: string;
  timer: NodeJS.Timeout;
  resolve: (r: ListResult) => void;
  reject: (err: Error) => void;
  list: boolean;
  response: AmiMessage | null;
  events: AmiMessage[];
}

export interface SessionHooks {
  /** Bytes for the wire (one encoded action). */
  write(bytes: string): void;
  /** An event that answers no list action, with the time its frame arrived (ms since the epoch). */
  onEvent(e: AmiMessage, receivedAt: number): void;
  /** The greeting line arrived: the PBX speaks AMI and waits for a Login. */
  onGreeting(version: string): void;
  /** Bytes that broke the format (skipped; the stream goes on). */
  onMalformed(reason: string, sample: string): void;
  /** A frame outgrew the limit: the link should be dropped and opened anew. */
  onOversized(limit: number): void;
}

/**
 * One AMI connection's protocol, without the socket: bytes in through our bounded, linear parser
 * (ami-codec), messages dispatched to the action waiting for that ActionID or out as events.
 * ActionIDs and event names are data here, never emitter names: a PBX that answers with
 * `ActionID: error` or sends `Event: Close` is just a message (asterisk-manager emitted both on
 * its own control channel, which crashed or closed the process's link).
 */
export class AmiSession {
  private readonly parser: AmiParser;
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly hooks: SessionHooks,
    private readonly opts: { maxFrameBytes: number; idPrefix: string },
  ) {
    this.parser = new AmiParser({ expectGreeting: true, maxFrameBytes: opts.maxFrameBytes });
  }

  /** Feeds bytes from the socket; every complete frame is handled before this returns. */
  push(chunk: Buffer): void {
    const receivedAt = performance.timeOrigin + performance.now();
    for (const item of this.parser.push(chunk)) {
      if (this.closed) return;
      switch (item.kind) {
        case "greeting":
          this.hooks.onGreeting(item.version);
          break;
        case "malformed":
          this.hooks.onMalformed(item.reason, item.sample);
          break;
        case "oversized":
          this.hooks.onOversized(item.limit);
          return;
        case "message":
          this.dispatch(item.message, receivedAt);
          break;
      }
    }
  }

  /** Sends one action; resolves with its response (and, for list actions, every list event). */
  send(name: string, fields: Record<string, string | string[]>, opts: { timeoutMs: number; list: boolean }): Promise<ListResult> {
    if (this.closed) return Promise.reject(new PbxError("NOT_CONNECTED", `${name}: the PBX link is down`));
    const id = `${this.opts.idPrefix}-${++this.seq}`;
    let bytes: string;
    try {
      bytes = encodeMessage(toHeaders(name, id, fields));
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise<ListResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new PbxError("TIMEOUT", opts.list ? `${name}: the list did not complete within ${opts.timeoutMs} ms` : `${name}: no answer from the PBX within ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      // Registered before writing: the answer may come in the same read as earlier events.
      this.pending.set(id, { name, timer, resolve, reject, list: opts.list, response: null, events: [] });
      this.hooks.write(bytes);
    });
  }

  /** The link is gone: every action still waiting fails now rather than at its timeout. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new PbxError("NOT_CONNECTED", `${p.name}: the PBX link was lost (${reason})`));
    }
  }

  get waiting(): number {
    return this.pending.size;
  }

  private dispatch(m: AmiMessage, receivedAt: number): void {
    const p = m.actionid === undefined ? undefined : this.pending.get(m.actionid);
    // OriginateResponse carries both "Event:" and "Response:": an event, whatever its ActionID.
    if (m.event !== undefined) {
      if (p?.list) {
        if (m.eventlist?.toLowerCase() === "complete") {
          p.response ??= m;
          return this.settle(m.actionid!, p);
        }
        p.events.push(m);
        return;
      }
      this.hooks.onEvent(m, receivedAt);
      return;
    }
    if (m.response === undefined || !p) return; // an answer to nothing we asked: ignored
    if (m.response.toLowerCase() === "error") {
      clearTimeout(p.timer);
      this.pending.delete(m.actionid!);
      p.reject(pbxErrorFromMessage(p.name, m.message));
      return;
    }
    p.response = m;
    // A list action's response says "EventList: start"; its events and "...Complete" follow.
    if (!p.list || m.eventlist?.toLowerCase() !== "start") this.settle(m.actionid!, p);
  }

  private settle(id: string, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve({ response: p.response!, events: p.events });
  }
}

/**
 * An action as header pairs, every key and value checked: CR, LF or NUL would end the header or
 * the whole action early and let the rest be read as headers or actions of its own. A Variable
 * list becomes one "Variable: name=value" header each.
 */
function toHeaders(name: string, id: string, fields: Record<string, string | string[]>): [string, string][] {
  const headers: [string, string][] = [["Action", name], ["ActionID", id]];
  for (const [k, v] of Object.entries(fields)) {
    if (unsafeValue.test(k) || k.includes(":") || k === "") throw new PbxError("INVALID_ARGUMENT", `${name}: bad header name ${JSON.stringify(k)}`, k);
    // Originate's "Variable: name=value" list; Setvar's Variable is a bare name (its Value follows).
    if (k.toLowerCase() === "variable" && name.toLowerCase() !== "setvar") {
      for (const pair of Array.isArray(v) ? v : [v]) {
        if (pair.indexOf("=") <= 0 || unsafeValue.test(pair)) throw new PbxError("INVALID_ARGUMENT", `${name}: bad variable ${JSON.stringify(pair)}`, "variable");
        headers.push(["Variable", pair]);
      }
      continue;
    }
    if (Array.isArray(v) || unsafeValue.test(v)) throw new PbxError("INVALID_ARGUMENT", `${name}: ${k} may not contain CR, LF or NUL`, k);
    headers.push([k, v]);
  }
  return headers;
}
