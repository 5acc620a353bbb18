import fs from "node:fs";
import path from "node:path";
import type { Pairs } from "./sim-events.js";
import { mixed, seeded, turns, voice, wavFile, type Conversation, type Turn } from "./sim-audio.js";

/** One running MixMonitor: on which channel, into which file, and where its file's clock stands. */
interface Recording {
  uniqueid: string;
  file: string;
  /** Bridged time written so far (ms) and, while bridged, since when (option b). */
  ms: number;
  since: number | null;
  /** Full-mute (both) and per-direction mutes, as file positions (s); open ones have `to` null. */
  mutes: { direction: "read" | "write"; from: number; to: number | null }[];
}

/**
 * The simulator's MixMonitor: follows the PBX's own event stream (MIXMONITOR_FILENAME, BridgeEnter
 * and BridgeLeave of the recorded channel, MixMonitorMute, MixMonitorStop, Hangup) and, when the
 * recorded channel hangs up, writes the files Asterisk would into the monitor directory: the mix and,
 * for the project's dialplan, the `-in` (what the channel received) and `-out` (what was sent to it)
 * files. Audio only for the bridged time (option b), digital zeros where muted, and a header-only
 * 44-byte WAV for a call never bridged. The files are written before the Hangup is sent on, so a
 * server that sees the Hangup finds them complete. A file already there (put by a test) is kept.
 */
export class SimRecorder {
  private readonly live = new Map<string, Recording>();
  /** What was written, by mixed file name (tests compare the speech found with it). */
  readonly written = new Map<string, Conversation & { muted: Turn[] }>();

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  handle(pairs: Pairs): void {
    const e = Object.fromEntries(pairs) as Record<string, string | undefined>;
    const uid = e.Uniqueid ?? "";
    const rec = this.live.get(uid);
    switch (e.Event) {
      case "VarSet":
        // The dialplan's MixMonitor (`${UNIQUEID}.wav,br(...-in.wav)t(...-out.wav)`), started before
        // the bridge. A MixMonitor started by an AMI client on another file is not written.
        if (e.Variable === "MIXMONITOR_FILENAME" && !rec && e.Value && path.posix.basename(e.Value) === `${uid}.wav`)
          this.live.set(uid, { uniqueid: uid, file: `${uid}.wav`, ms: 0, since: null, mutes: [] });
        return;
      case "BridgeEnter":
        if (rec) rec.since ??= this.now();
        return;
      case "BridgeLeave":
        if (rec && rec.since !== null) {
          rec.ms += this.now() - rec.since;
          rec.since = null;
        }
        return;
      case "MixMonitorMute":
        if (rec) this.mute(rec, (e.Direction ?? "both").toLowerCase(), e.State === "1");
        return;
      case "MixMonitorStop":
      case "Hangup":
        if (rec) this.finish(rec);
        return;
      default:
        return;
    }
  }

  private position(rec: Recording): number {
    return (rec.ms + (rec.since === null ? 0 : this.now() - rec.since)) / 1000;
  }

  private mute(rec: Recording, direction: string, on: boolean): void {
    const at = this.position(rec);
    const dirs: ("read" | "write")[] = direction === "both" ? ["read", "write"] : direction === "read" || direction === "write" ? [direction] : [];
    for (const d of dirs) {
      const open = rec.mutes.find((m) => m.direction === d && m.to === null);
      if (on && !open) rec.mutes.push({ direction: d, from: at, to: null });
      if (!on && open) open.to = at;
    }
  }

  private finish(rec: Recording): void {
    this.live.delete(rec.uniqueid);
    if (rec.since !== null) rec.ms += this.now() - rec.since;
    const seconds = Math.floor((rec.ms / 1000) * 8000) / 8000;
    const target = path.join(this.dir, rec.file);
    if (fs.existsSync(target)) return;
    const zeros = (d: "read" | "write"): Turn[] => rec.mutes.filter((m) => m.direction === d).map((m) => [m.from, m.to ?? seconds]);
    const rnd = seeded(rec.file);
    // The recorded channel is the customer's on inbound calls (it received the customer, was sent
    // the agent) and the agent's on click-to-call; the other side answers first either way.
    const talk = turns(seconds, rnd, true);
    const received = voice(seconds, talk.received, 170, rnd, zeros("read"));
    const sent = voice(seconds, talk.sent, 120, rnd, zeros("write"));
    const stem = rec.file.replace(/\.wav$/, "");
    try {
      fs.writeFileSync(target, wavFile(mixed(received, sent)));
      fs.writeFileSync(path.join(this.dir, `${stem}-in.wav`), wavFile(received));
      fs.writeFileSync(path.join(this.dir, `${stem}-out.wav`), wavFile(sent));
      const muted = rec.mutes.map((m) => [m.from, m.to ?? seconds] as Turn);
      this.written.set(rec.file, { seconds, ...talk, muted });
      if (this.written.size > 1000) this.written.delete(this.written.keys().next().value!);
    } catch {
      // A full or read-only monitor directory: Asterisk logs it and the call goes on; so does the sim.
    }
  }
}
