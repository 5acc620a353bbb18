import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FfmpegMedia } from "../../server/recordings/media.js";
import { LocalRecordingStorage } from "../../server/recordings/recording-storage.js";
import { RecordingError, RecordingProcessor } from "../../server/recordings/recording-processor.js";
import { rawNames } from "../../server/recordings/recording-capture.js";
import { samples, wav, writeCallRecording, type Burst } from "../support/wav.js";

/** Real ffmpeg on WAVs in the format Asterisk writes (8 kHz, 16-bit mono PCM). */
describe("recording processor (real ffmpeg)", () => {
  let dir: string;
  let monitor: string;
  let store: LocalRecordingStorage;
  let processor: RecordingProcessor;
  const day = new Date("2026-12-03T10:00:00Z");
  const media = new FfmpegMedia();
  // A conversation: the customer, then the agent, a 4 s silence, both at once, the customer.
  const caller: Burst[] = [{ start: 0.5, end: 2.5, hz: 440 }, { start: 9, end: 11, hz: 440 }, { start: 12, end: 13.5, hz: 440 }];
  const agent: Burst[] = [{ start: 3, end: 5, hz: 880 }, { start: 10, end: 12, hz: 880 }];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-rec-"));
    monitor = path.join(dir, "monitor");
    store = new LocalRecordingStorage(path.join(dir, "recordings"));
    processor = new RecordingProcessor(media, store, monitor, path.join(dir, "work"), "archive", path.join(dir, "recordings", "raw"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("makes verified Opus files of the mix and both sides, with peaks, who spoke when, silences and over-talk", async () => {
    writeCallRecording(monitor, "1796231540.8", caller, agent, 14);
    const raw = rawNames("1796231540.8.wav", "inbound")!;
    expect(raw).toEqual({ mix: "1796231540.8.wav", caller: "1796231540.8-in.wav", agent: "1796231540.8-out.wav" });
    const out = await processor.process(17, raw, day);
    if (out.status !== "ready") throw new Error("not ready");
    expect(out.sides).toEqual(["mix", "caller", "agent"]);
    expect(out.durationSeconds).toBeCloseTo(14, 1);
    expect(out.files).toEqual({ mix: "2026/12/03/17-mix.opus", caller: "2026/12/03/17-caller.opus", agent: "2026/12/03/17-agent.opus" });
    for (const key of Object.values(out.files)) {
      const file = path.join(store.root, key!);
      expect(fs.readFileSync(file).subarray(0, 4).toString("latin1")).toBe("OggS");
      expect(Math.abs((await media.durationSeconds(file)) - 14)).toBeLessThanOrEqual(0.1);
    }
    expect(out.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(out.peaks.mix!.length).toBe(280);
    expect(out.peaks.caller![20]).toBeGreaterThan(0.1); // 1 s: the customer talks
    expect(out.peaks.caller![80]).toBeLessThan(0.01); // 4 s: only the agent
    const near = (spans: [number, number][], expected: [number, number][]) => {
      expect(spans).toHaveLength(expected.length);
      spans.forEach(([s, e], i) => {
        expect(Math.abs(s - expected[i]![0])).toBeLessThanOrEqual(0.1);
        expect(Math.abs(e - expected[i]![1])).toBeLessThanOrEqual(0.1);
      });
    };
    near(out.speech!.caller, [[0.5, 2.5], [9, 11], [12, 13.5]]);
    near(out.speech!.agent, [[3, 5], [10, 12]]);
    near(out.speech!.silences, [[5, 9]]);
    near(out.speech!.overtalk, [[10, 11]]);
    // Verified, the row would now say ready: only then do the raw files go (archived by date).
    await processor.disposeRaw(raw, day);
    expect(fs.existsSync(path.join(monitor, "1796231540.8.wav"))).toBe(false);
    expect(fs.existsSync(path.join(store.root, "raw", "2026/12/03", "1796231540.8-in.wav"))).toBe(true);
  });

  it("recovers the audio of a WAV whose header was never finalized (the PBX was killed mid-call)", async () => {
    writeCallRecording(monitor, "1796231541.9", caller, agent, 6, { finalized: false, sides: false });
    const out = await processor.process(18, rawNames("1796231541.9.wav", "inbound")!, day);
    if (out.status !== "ready") throw new Error("not ready");
    expect(out.sides).toEqual(["mix"]);
    expect(out.speech).toBeNull();
    expect(out.durationSeconds).toBeCloseTo(6, 1);
  });

  it("a header-only WAV (a call never bridged) is empty, not a failure", async () => {
    fs.writeFileSync(path.join(monitor, "1796231542.1.wav"), wav(new Int16Array(0)));
    expect(await processor.process(19, { mix: "1796231542.1.wav" }, day)).toEqual({ status: "empty" });
  });

  it("a corrupt file fails without retry and stays where it was; a missing one is retried", async () => {
    fs.writeFileSync(path.join(monitor, "1796231543.2.wav"), Buffer.from("RIFF\0\0\0\0WAVEgarbage that is no audio at all"));
    const err = await processor.process(20, { mix: "1796231543.2.wav" }, day).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordingError);
    expect((err as RecordingError).retry).toBe(false);
    expect(fs.existsSync(path.join(monitor, "1796231543.2.wav"))).toBe(true);
    const missing = await processor.process(21, { mix: "1796231599.0.wav" }, day).catch((e: unknown) => e);
    expect(missing).toMatchObject({ retry: true, message: expect.stringMatching(/not in MONITOR_DIR/) });
  });

  it("refuses raw names that would leave MONITOR_DIR", async () => {
    for (const name of ["../etc/passwd.wav", "/etc/x.wav", "a/b.wav", ".hidden.wav", "x.wav\0.txt", "..wav"])
      await expect(processor.process(22, { mix: name }, day)).rejects.toMatchObject({ retry: false });
    expect(rawNames("../../x.wav", "inbound")).toBeNull();
  });

  it("a muted stretch is digital silence, never speech", async () => {
    fs.writeFileSync(path.join(monitor, "1796231544.3-in.wav"), wav(samples(6, [{ start: 0, end: 6, hz: 440 }], 8000, { zeroFrom: 2, zeroTo: 4 })));
    fs.writeFileSync(path.join(monitor, "1796231544.3-out.wav"), wav(samples(6, [])));
    fs.writeFileSync(path.join(monitor, "1796231544.3.wav"), wav(samples(6, [{ start: 0, end: 6, hz: 440 }], 8000, { zeroFrom: 2, zeroTo: 4 })));
    const out = await processor.process(23, rawNames("1796231544.3.wav", "inbound")!, day);
    if (out.status !== "ready") throw new Error("not ready");
    expect(out.speech!.caller).toEqual([[0, 2], [4, 6]]);
    expect(out.speech!.agent).toEqual([]);
  });
});
