import fs from "node:fs";
import net from "node:net";
import { AmiParser, encodeMessage, type AmiMessage } from "../ami-codec.js";
import { event, memberBlock, type Pairs } from "./sim-events.js";
import { SimPbx, type SimConfig } from "./sim-pbx.js";
import { answerAction } from "./sim-actions.js";

export interface SimulatorOptions {
  username?: string;
  secret?: string;
  /** Asterisk answers a wrong secret after about a second, then closes the connection. */
  badLoginDelayMs?: number;
  pbx?: Partial<SimConfig>;
}

export interface Session {
  socket: net.Socket;
  authenticated: boolean;
  eventsOn: boolean;
  parser: AmiParser;
}

/**
 * A TCP server speaking AMI as Asterisk 22 does (greeting, Login/Logoff, actions, events), driven
 * by a SimPbx. Part of the product: the demo, the tests and the benchmarks run on it. Fault
 * switches (drop, delay, split, garbage, restart) and a replay mode serve the tests.
 */
export class AmiSimulator {
  readonly pbx: SimPbx;
  private readonly server: net.Server;
  readonly sessions = new Set<Session>();
  readonly username: string;
  readonly secret: string;
  private readonly badLoginDelayMs: number;
  /** Fault switches. */
  faults = { delayMs: 0, maxChunk: 0, refuse: false };
  /** Told of every action a logged-in client sends (lower-cased name, and the message: headers lower-cased, repeated ones joined by "\n"), for tests and benchmarks. */
  onAction: (action: string, session: Session, message?: AmiMessage) => void = () => {};

  constructor(opts: SimulatorOptions = {}) {
    this.username = opts.username ?? "crm";
    this.secret = opts.secret ?? "crmsecret";
    this.badLoginDelayMs = opts.badLoginDelayMs ?? 1000;
    this.pbx = new SimPbx(opts.pbx);
    this.pbx.on("event", (pairs: Pairs) => this.broadcast(pairs));
    this.server = net.createServer((socket) => this.accept(socket));
  }

  listen(port = 0, host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    this.pbx.reset();
    for (const s of this.sessions) s.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Fault: every AMI connection drops at once (network loss). Calls go on inside the PBX. */
  dropConnections(): void {
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
  }

  /** Logged in before the modules were loaded: actions other than Login/Logoff/Ping are refused until FullyBooted. */
  private booting = false;

  /**
   * Fault: the PBX restarts (`core restart now`, transcript pbx-restart-paused): every connection
   * gets `Shutdown` and drops, every call ends unseen, static members lose their pauses, new
   * connections are refused for `downMs`; then for `bootMs` logins are accepted but actions fail
   * ("Invalid/unknown command") until FullyBooted is sent.
   */
  async restart(downMs = 200, bootMs: number | null = 70): Promise<void> {
    this.faults.refuse = true;
    this.broadcast([["Event", "Shutdown"], ["Privilege", "system,all"], ["Shutdown", "Cleanly"], ["Restart", "True"]]);
    this.dropConnections();
    this.pbx.reboot();
    await new Promise((r) => setTimeout(r, downMs));
    this.booting = bootMs !== 0;
    this.faults.refuse = false;
    // null: booting until finishBoot() (a test holds the PBX in that state as long as it needs).
    if (bootMs) setTimeout(() => this.finishBoot(), bootMs).unref();
  }

  /** The modules are loaded: actions work, and every connection gets FullyBooted. */
  finishBoot(): void {
    if (!this.booting) return;
    this.booting = false;
    // During boot the headers come in this order (at login to a running PBX: Uptime first).
    this.broadcast([["Event", "FullyBooted"], ["Privilege", "system,all"], ["Status", "Fully Booted"], ["Uptime", "0"], ["LastReload", "0"]]);
  }

  get isBooting(): boolean {
    return this.booting;
  }

  /** Fault: raw bytes to every logged-in connection (garbage, or a huge frame). */
  injectRaw(bytes: string | Buffer): void {
    for (const s of this.sessions) if (s.authenticated) s.socket.write(bytes);
  }

  /**
   * Replay: streams a recorded transcript (*.ami.log) to every logged-in connection, frame by frame
   * as recorded (the greeting and the recorded login answer are left out).
   */
  replay(file: string, opts: { framesPerTick?: number } = {}): Promise<void> {
    const frames = fs.readFileSync(file, "latin1").split("\r\n\r\n").slice(0, -1);
    const body = frames.map((f, i) => (i === 0 ? f.replace(/^Asterisk Call Manager\/[^\r\n]*\r\n/, "") : f)).filter((f) => !/^Response: Success\r\nActionID: [^\r\n]*\r\nMessage: Authentication accepted$/.test(f));
    const per = opts.framesPerTick ?? 50;
    return new Promise((resolve) => {
      let i = 0;
      const tick = () => {
        const chunk = body.slice(i, i + per).map((f) => `${f}\r\n\r\n`).join("");
        i += per;
        for (const s of this.sessions) if (s.authenticated) s.socket.write(Buffer.from(chunk, "latin1"));
        if (i < body.length) setImmediate(tick);
        else resolve();
      };
      tick();
    });
  }

  private accept(socket: net.Socket): void {
    if (this.faults.refuse) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const session: Session = { socket, authenticated: false, eventsOn: true, parser: new AmiParser({ expectGreeting: false, maxFrameBytes: 64 * 1024 }) };
    this.sessions.add(session);
    socket.on("close", () => this.sessions.delete(session));
    socket.on("error", () => {});
    socket.write("Asterisk Call Manager/11.0.0\r\n");
    socket.on("data", (chunk: Buffer) => {
      for (const item of session.parser.push(chunk)) if (item.kind === "message") this.handle(session, item.message);
    });
  }

  private handle(s: Session, m: AmiMessage): void {
    const action = (m.action ?? "").toLowerCase();
    const id = m.actionid;
    const reply = (pairs: Pairs) => this.write(s, [["Response", pairs[0]?.[1] ?? "Success"], ...(id !== undefined ? ([["ActionID", id]] as Pairs) : []), ...pairs.slice(1)]);
    if (action === "login") {
      if (m.username === this.username && m.secret === this.secret) {
        s.authenticated = true;
        if (/^off$/i.test(m.events ?? "")) s.eventsOn = false;
        reply([["Response", "Success"], ["Message", "Authentication accepted"]]);
        if (!this.booting) this.write(s, event("FullyBooted", [["Uptime", String(this.pbx.uptimeSeconds)], ["LastReload", String(this.pbx.uptimeSeconds)], ["Status", "Fully Booted"]]));
        const now = new Date().toISOString().replace("Z", "+0000");
        this.write(s, [["Event", "SuccessfulAuth"], ["Privilege", "security,all"], ["EventTV", now], ["Severity", "Informational"], ["Service", "AMI"], ["EventVersion", "1"], ["AccountID", this.username], ["SessionID", "0x7f9e14003110"], ["LocalAddress", `IPV4/TCP/127.0.0.1/${this.port}`], ["RemoteAddress", `IPV4/TCP/${s.socket.remoteAddress ?? "127.0.0.1"}/${s.socket.remotePort ?? 0}`], ["UsingPassword", "0"], ["SessionTV", now]]);
      } else {
        setTimeout(() => {
          reply([["Response", "Error"], ["Message", "Authentication failed"]]);
          s.socket.end();
        }, this.badLoginDelayMs);
      }
      return;
    }
    if (!s.authenticated) {
      reply([["Response", "Error"], ["Message", "Permission denied"]]);
      return;
    }
    this.onAction(action, s, m);
    if (this.booting && action !== "logoff" && action !== "ping") {
      reply([["Response", "Error"], ["Message", `Invalid/unknown command: ${m.action ?? ""}. Use Action: ListCommands to show available commands.`]]);
      this.write(s, [["Event", "RequestBadFormat"], ["Privilege", "security,all"], ["Severity", "Error"], ["Service", "AMI"], ["RequestType", `Action: ${m.action ?? ""}`]]);
      return;
    }
    if (action === "logoff") {
      reply([["Response", "Goodbye"], ["Message", "Thanks for all the fish."]]);
      s.socket.end();
      return;
    }
    if (action === "events") {
      s.eventsOn = !/^off$/i.test(m.eventmask ?? "on");
      reply([["Response", "Success"], ["Events", s.eventsOn ? "On" : "Off"]]);
      return;
    }
    if (action === "ping") {
      reply([["Response", "Success"], ["Ping", "Pong"], ["Timestamp", (Date.now() / 1000).toFixed(6)]]);
      return;
    }
    if (action === "queuestatus") return this.queueStatus(s, m);
    answerAction(this.pbx, m, {
      reply,
      event: (pairs) => this.write(s, pairs),
      list: (items, completeName) => this.writeList(s, id, items, completeName),
    });
  }

  private queueStatus(s: Session, m: AmiMessage): void {
    const id = m.actionid ?? "";
    const items: Pairs[] = [];
    for (const q of this.pbx.config.queues) {
      if (m.queue && m.queue !== q.name) continue;
      const waiting = this.pbx.waiting(q.name);
      items.push([["Event", "QueueParams"], ["Queue", q.name], ["Max", "0"], ["Strategy", q.strategy], ["Calls", String(waiting.length)], ["Holdtime", "0"], ["TalkTime", "0"], ["Completed", "0"], ["Abandoned", "0"], ["ServiceLevel", "0"], ["ServicelevelPerf", "0.0"], ["ServicelevelPerf2", "0.0"], ["Weight", "0"]]);
      for (const mem of this.pbx.members.get(q.name) ?? []) items.push([["Event", "QueueMember"], ...memberBlock(mem, "list")]);
      waiting.forEach((w, i) =>
        items.push([["Event", "QueueEntry"], ["Queue", q.name], ["Position", String(i + 1)], ["Channel", w.channel.name], ["Uniqueid", w.channel.uniqueid], ["CallerIDNum", w.channel.callerNum], ["CallerIDName", w.channel.callerName], ["ConnectedLineNum", "unknown"], ["ConnectedLineName", "unknown"], ["Wait", String(w.waitSeconds)], ["Priority", "0"]]),
      );
    }
    this.write(s, [["Response", "Success"], ["ActionID", id], ["EventList", "start"], ["Message", "Queue status will follow"]]);
    this.writeList(s, id, items, "QueueStatusComplete", true);
  }

  /** List events carry no Privilege and their ActionID last; the Complete event has it second. */
  private writeList(s: Session, id: string | undefined, items: Pairs[], completeName: string, skipStart = false): void {
    if (!skipStart) this.write(s, [["Response", "Success"], ["ActionID", id ?? ""], ["EventList", "start"], ["Message", "Events will follow"]]);
    for (const it of items) this.write(s, [...it, ["ActionID", id ?? ""]]);
    this.write(s, [["Event", completeName], ["ActionID", id ?? ""], ["EventList", "Complete"], ["ListItems", String(items.length)]]);
  }

  private broadcast(pairs: Pairs): void {
    let text: string | null = null;
    for (const s of this.sessions) {
      if (!s.authenticated || !s.eventsOn) continue;
      text ??= encodeMessage(pairs);
      this.send(s, text);
    }
  }

  private write(s: Session, pairs: Pairs): void {
    this.send(s, encodeMessage(pairs));
  }

  private send(s: Session, text: string): void {
    const { delayMs, maxChunk } = this.faults;
    const out = () => {
      if (s.socket.destroyed) return;
      if (maxChunk > 0) {
        const buf = Buffer.from(text);
        for (let i = 0; i < buf.length; ) {
          const n = 1 + Math.floor(Math.random() * maxChunk);
          s.socket.write(buf.subarray(i, i + n));
          i += n;
        }
      } else s.socket.write(text);
    };
    if (delayMs > 0) setTimeout(out, delayMs);
    else out();
  }
}
