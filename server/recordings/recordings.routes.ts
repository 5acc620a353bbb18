import type { Request, Response, Router } from "express";
import type { Redis } from "ioredis";
import { z } from "zod";
import { parse, pathId } from "../platform/http/validate.js";
import { AppError, notFound } from "../platform/errors.js";
import { actorOf, currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { allowed } from "../auth/roles.js";
import type { PublicUser } from "../auth/users.service.js";
import type { AuditService } from "../audit/audit.service.js";
import type { ClientsService } from "../crm/clients.service.js";
import { toHttp } from "../agents/agent-status.service.js";
import { callId } from "../calls/call-control.routes.js";
import type { PbxSet } from "../calls/pbx-set.js";
import { parseRange, type RecordingsService } from "./recordings.service.js";
import { AudioTickets } from "./audio-tickets.js";
import { audioQuery, ticketQuery, eraseBody, holdBody, pauseBody, recordingQuery, retentionBody } from "./recordings.schemas.js";

export interface RecordingsDeps {
  recordings: RecordingsService;
  tickets: AudioTickets;
  pbxes: PbxSet;
  audit: AuditService;
  clients: ClientsService;
  redis: Redis;
  redisPrefix: string;
}

/** A listener seeking asks for many ranges: one `recording.play` audit entry per listener and recording per half hour. */
const playWindowSeconds = 1800;

export function recordingsRoutes(d: RecordingsDeps): Router {
  const r = guardedRouter();

  r.get("/recordings", async (req, res) => {
    res.json(await d.recordings.list(parse(recordingQuery, req.query), currentUser(req)));
  });

  r.get("/recordings/retention", async (_req, res) => {
    res.json({ rules: await d.recordings.retention() });
  });

  r.put("/recordings/retention", async (req, res) => {
    const { rules } = parse(retentionBody, req.body);
    res.json({ rules: await d.recordings.setRetention(rules, actorOf(req)) });
  });

  /** Runs the nightly retention now (admins; the tests and an impatient administrator). */
  r.post("/recordings/retention/run", async (_req, res) => {
    res.json({ deleted: await d.recordings.applyRetention() });
  });

  r.post("/recordings/erase", async (req, res) => {
    const body = parse(eraseBody, req.body);
    const actor = actorOf(req);
    res.json(await d.recordings.erase(body, actor, (id) => d.clients.remove(id, actor)));
  });

  r.get("/recordings/:id", async (req, res) => {
    res.json(await d.recordings.get(pathId(req.params), currentUser(req)));
  });

  /**
   * The audio, as Opus in Ogg. Seeking is by HTTP Range (206 with Content-Range; 416 past the
   * end), so a player never downloads the whole file to jump to the middle.
   */
  r.get("/recordings/:id/audio", async (req, res) => {
    await sendAudio(d, req, res, pathId(req.params), parse(audioQuery, req.query), currentUser(req));
  });

  /** A short-lived link to the audio for a media element, which cannot send the bearer header (audio-tickets.ts). */
  r.get("/recordings/:id/audio-url", async (req, res) => {
    const id = pathId(req.params);
    const user = currentUser(req);
    // The same scope check as the audio itself: no ticket for a recording this user may not hear.
    await d.recordings.audio(id, "mix", user);
    const ticket = await d.tickets.issue(id, user);
    res.set("Cache-Control", "private, no-store").json({ url: `/api/recordings/${id}/stream?t=${ticket}`, idleSeconds: AudioTickets.idleSeconds });
  });

  r.get("/legal-holds", async (_req, res) => {
    res.json({ items: await d.recordings.holds() });
  });

  r.post("/legal-holds", async (req, res) => {
    const body = parse(holdBody, req.body);
    res.status(201).json(await d.recordings.addHold(body, body.reason, actorOf(req)));
  });

  r.delete("/legal-holds/:id", async (req, res) => {
    await d.recordings.releaseHold(pathId(req.params), actorOf(req));
    res.status(204).end();
  });

  /**
   * Pause or resume the recording of a live call (a card number is read out): MixMonitorMute on
   * the channel MixMonitor runs on, the call's first channel. The muted stretch is digital silence
   * in the file; the markers come from the PBX's MixMonitorMute events, whoever asked.
   */
  r.post("/calls/:callId/recording", async (req, res) => {
    const user = currentUser(req);
    const id = parse(z.object({ callId }), req.params).callId;
    const { paused } = parse(pauseBody, req.body);
    const found = d.pbxes.ofCall(id);
    if (!found) throw notFound(`live call ${id}`);
    const mine = user.extension !== null && [...found.call.legs.values()].some((l) => l.ext === user.extension && !l.ended && l.up);
    if (!mine && !allowed(user.role, "wrapUpAnyCall")) throw new AppError("FORBIDDEN", "only the agent on the call, or a supervisor, may pause its recording");
    const recorded = found.call.legs.get(found.call.linkedid);
    if (!recorded || recorded.ended) throw new AppError("CONFLICT", "the recorded channel of this call is gone");
    await found.pbx.commands.muteRecording({ channel: recorded.channel, muted: paused }).catch((err: unknown) => {
      throw toHttp(err);
    });
    await d.audit.record({ actorId: user.id, actorName: user.username, action: "recording.pause", target: `call:${id}`, details: { paused }, ip: req.ip ?? null });
    res.status(202).json({ callId: id, paused });
  });

  return r;
}

/**
 * The audio by ticket (GET /recordings/:id/audio-url), for the browser's <audio> element: mounted
 * before the bearer check, so "public" in the role matrix, but a missing, dead or foreign ticket is
 * a 404 and a live one acts as the user who asked for it (same scope, same audit).
 */
export function recordingStreamRoutes(d: Pick<RecordingsDeps, "recordings" | "tickets" | "redis" | "redisPrefix">): Router {
  const r = guardedRouter();
  r.get("/recordings/:id/stream", async (req, res) => {
    const id = pathId(req.params);
    const { t, ...q } = parse(ticketQuery, req.query);
    const user = await d.tickets.redeem(t, id);
    if (!user) throw notFound("this audio link (it may have expired; reopen the player)");
    await sendAudio(d, req, res, id, q, user);
  });
  return r;
}

async function sendAudio(d: Pick<RecordingsDeps, "recordings" | "redis" | "redisPrefix">, req: Request, res: Response, id: number, q: { side: "mix" | "caller" | "agent"; download?: string | undefined }, user: PublicUser): Promise<void> {
  const download = q.download === "1" || q.download === "true";
  const audio = await d.recordings.audio(id, q.side, user);
  const header = req.get("range") ?? null;
  let range: ReturnType<typeof parseRange>;
  try {
    range = parseRange(header, audio.size);
  } catch (err) {
    res.set("Content-Range", `bytes */${audio.size}`);
    throw err;
  }
  const firstPlay = async () => (await d.redis.set(`${d.redisPrefix}:rec-play:${user.id}:${id}`, "1", "EX", playWindowSeconds, "NX").catch(() => "OK")) === "OK";
  if (download || (await firstPlay())) await audio.audit(download, header, req.ip ?? null);
  res.set({ "Content-Type": "audio/ogg", "Accept-Ranges": "bytes", "Cache-Control": "private, no-store" });
  if (download) res.set("Content-Disposition", `attachment; filename="call-${audio.linkedid}-${q.side}.opus"`);
  if (range === "whole") res.status(200).set("Content-Length", String(audio.size));
  else res.status(206).set({ "Content-Length": String(range.end - range.start + 1), "Content-Range": `bytes ${range.start}-${range.end}/${audio.size}` });
  const stream = audio.open(range === "whole" ? undefined : range);
  stream.on("error", (err: Error) => res.destroy(err));
  stream.pipe(res);
}
