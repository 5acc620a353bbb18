/**
 * Where a call's recording file stands, to turn the PBX's mute reports into positions in the file.
 *
 * MixMonitor with option `b` writes audio only while the recorded channel is in a bridge: the
 * caller's wait in the queue, a blind transfer's second ringing, the ringing before a
 * click-to-call's customer answers are not in the file. So the file's clock is the recorded
 * channel's bridged time (BridgeEnter → BridgeLeave of that channel), not the wall clock.
 *
 * MixMonitorMute writes digital zeros instead of audio; the file is not shortened. A pause marker
 * is a stretch where the mixed file is silenced entirely: both directions muted (`Direction: both`,
 * or read and write muted separately). A one-direction mute removes one voice only and is no gap.
 */
export class RecordingClock {
  /** Per channel (Uniqueid): bridged milliseconds so far and, while bridged, since when. */
  private readonly bridged = new Map<string, { ms: number; since: number | null }>();
  private readMuted = false;
  private writeMuted = false;
  /** File position (s) where the current full mute began. */
  private mutedFrom: number | null = null;
  readonly muted: [number, number][] = [];

  /** `recorded`: the channel MixMonitor runs on (the one whose MIXMONITOR_FILENAME named the file). */
  constructor(private recorded: string) {}

  /** The file is named after another channel than assumed (its MIXMONITOR_FILENAME came). */
  setRecorded(uniqueid: string): void {
    if (uniqueid === this.recorded) return;
    this.recorded = uniqueid;
  }

  get recordedChannel(): string {
    return this.recorded;
  }

  bridgeEnter(uniqueid: string, at: number): void {
    const b = this.bridged.get(uniqueid) ?? { ms: 0, since: null };
    b.since ??= at;
    this.bridged.set(uniqueid, b);
  }

  bridgeLeave(uniqueid: string, at: number): void {
    const b = this.bridged.get(uniqueid);
    if (!b || b.since === null) return;
    b.ms += Math.max(0, at - b.since);
    b.since = null;
  }

  /** An adopted call's recorded channel was already bridged when we first saw it: since `since`, estimated. */
  assumeBridged(uniqueid: string, since: number): void {
    if (!this.bridged.has(uniqueid)) this.bridged.set(uniqueid, { ms: 0, since });
  }

  /** Seconds into the recording file at wall time `at` (ms). */
  position(at: number): number {
    const b = this.bridged.get(this.recorded);
    if (!b) return 0;
    return (b.ms + (b.since === null ? 0 : Math.max(0, at - b.since))) / 1000;
  }

  /** A MixMonitorMute on channel `uniqueid` (only the recording on that channel is affected). */
  mute(uniqueid: string, direction: "read" | "write" | "both", on: boolean, at: number): void {
    if (uniqueid !== this.recorded) return;
    if (direction !== "write") this.readMuted = on;
    if (direction !== "read") this.writeMuted = on;
    const full = this.readMuted && this.writeMuted;
    if (full && this.mutedFrom === null) this.mutedFrom = this.position(at);
    else if (!full && this.mutedFrom !== null) this.close(at);
  }

  /** The call ended (the file is closed): a mute still on runs to the file's end. */
  end(at: number): [number, number][] {
    if (this.mutedFrom !== null) this.close(at);
    return this.muted;
  }

  private close(at: number): void {
    const from = this.mutedFrom!;
    const to = this.position(at);
    this.mutedFrom = null;
    // Millisecond precision; a mute and unmute both while unbridged leave no gap in the file.
    if (to - from >= 0.001) this.muted.push([round(from), round(to)]);
  }
}

const round = (s: number) => Math.round(s * 1000) / 1000;
