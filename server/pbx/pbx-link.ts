import { EventEmitter } from "node:events";
import type { Logger } from "../platform/logger.js";
import type { AmiClient } from "./ami-client.js";
import type { AmiMessage } from "./ami-codec.js";
import { toPbxEvent, type PbxEvent } from "./pbx-events.js";

export interface PbxSnapshot {
  /** When the snapshot was asked for (sub-ms): state changes seen after it are newer than the snapshot. */
  since: number;
  /** The first read after the link (re)connected (not the periodic one): lost pauses are re-applied then. */
  afterConnect?: boolean;
  channels: {
    uniqueid: string;
    linkedid: string;
    channel: string;
    callerNum: string;
    callerName: string;
    exten: string;
    state: number;
    application: string;
    applicationData: string;
    /** How long the channel has existed, in seconds, when the PBX said (null when it did not). */
    ageSeconds: number | null;
    bridgeId: string;
  }[];
  members: { queue: string; iface: string; status: number; paused: boolean; reason: string }[];
}

/**
 * The PBX as the rest of the server sees it: typed PbxEvents ("event", with the time its AMI frame
 * arrived, in ms since the epoch with sub-ms precision), and after every (re)connect
 * a snapshot of live channels and queue members ("snapshot") read from the PBX itself, so calls that
 * ended while we were blind can be closed and calls still up adopted. Also "up" / "down".
 */
export class PbxLink extends EventEmitter {
  private resyncTimer: NodeJS.Timeout | null = null;

  /**
   * `resyncMs`: while the link is up, the PBX's state is read again this often, so a channel it
   * never reported the end of (a lost Hangup, a peer sending nonsense) is closed by the next read
   * instead of staying "live" for ever.
   */
  constructor(
    readonly client: AmiClient,
    private readonly log: Logger,
    private readonly resyncMs = 5 * 60_000,
  ) {
    super();
    client.on("event", (e: AmiMessage, receivedAt: number) => {
      // Asterisk accepts a login before its modules are loaded (after a restart, `QueueStatus`
      // answers "Invalid/unknown command" until then); FullyBooted says they are.
      if (e.event === "FullyBooted") this.wakeResync?.();
      const pe = toPbxEvent(e);
      if (pe) this.emit("event", pe satisfies PbxEvent, receivedAt);
    });
    client.on("connected", () => {
      this.emit("up");
      void this.resync(1, true);
      this.scheduleResync();
    });
    client.on("disconnected", (reason: string) => {
      if (this.resyncTimer) clearInterval(this.resyncTimer);
      this.resyncTimer = null;
      this.emit("down", reason);
    });
  }

  private scheduleResync(): void {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = setInterval(() => {
      if (this.connected) void this.resync();
    }, this.resyncMs);
    this.resyncTimer.unref();
  }

  stop(): void {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = null;
  }

  get connected(): boolean {
    return this.client.state === "connected";
  }

  /** Cuts a retry's wait short (FullyBooted arrived). */
  private wakeResync: (() => void) | null = null;

  /**
   * Reads live channels and queue members from the PBX. Retried while the link stays up, after
   * FullyBooted or a backoff (0.25 s doubling to 5 s), whichever comes first: a PBX that is still
   * booting refuses the list actions for a moment.
   */
  async resync(attempt = 1, afterConnect = false): Promise<void> {
    const since = performance.timeOrigin + performance.now();
    try {
      const [channels, queues] = await Promise.all([
        this.client.listAction("CoreShowChannels", {}),
        this.client.listAction("QueueStatus", {}),
      ]);
      const snapshot: PbxSnapshot = {
        since,
        afterConnect,
        channels: channels.events
          .filter((e) => e.event === "CoreShowChannel")
          .map((e) => ({
            uniqueid: e.uniqueid ?? "",
            linkedid: e.linkedid ?? e.uniqueid ?? "",
            channel: e.channel ?? "",
            callerNum: e.calleridnum ?? "",
            callerName: e.calleridname ?? "",
            exten: e.exten ?? "",
            state: Number(e.channelstate ?? 0),
            application: e.application ?? "",
            applicationData: e.applicationdata ?? "",
            ageSeconds: channelAge(e.duration, e.uniqueid ?? "", since),
            bridgeId: e.bridgeid ?? "",
          })),
        // QueueStatus's member entries name the interface Location (the live events say Interface).
        members: queues.events
          .filter((e) => e.event === "QueueMember")
          .map((e) => ({ queue: e.queue ?? "", iface: e.location ?? e.interface ?? "", status: Number(e.status ?? 0), paused: e.paused === "1", reason: e.pausedreason ?? "" })),
      };
      this.log.info({ channels: snapshot.channels.length, members: snapshot.members.length }, "PBX state read after connect");
      this.emit("snapshot", snapshot);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, attempt }, "PBX resync failed");
      if (attempt >= 10 || !this.connected) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wakeResync = null;
          resolve();
        }, Math.min(5000, 250 * 2 ** (attempt - 1)));
        timer.unref();
        this.wakeResync = () => {
          clearTimeout(timer);
          this.wakeResync = null;
          resolve();
        };
      });
      if (this.connected) return this.resync(attempt + 1, afterConnect);
    }
  }
}

/**
 * A live channel's age in seconds: CoreShowChannel's Duration ("HH:MM:SS"), or else the Unix time
 * Asterisk puts in every Uniqueid when it creates the channel ("1795598250.12", possibly after a
 * "systemname-" prefix). Null when neither is there or plausible (not in the future, under a day).
 */
export function channelAge(duration: string | undefined, uniqueid: string, at: number): number | null {
  const hms = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(duration ?? "");
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  const epoch = /(?:^|-)(\d{9,11})\.\d+$/.exec(uniqueid);
  if (!epoch) return null;
  const age = Math.floor(at / 1000) - Number(epoch[1]);
  return age >= 0 && age < 86_400 ? age : null;
}
