import type { Request, Router } from "express";
import type { AuditService } from "../audit/audit.service.js";
import type { AgentStatusHub } from "../agents/agent-status-hub.js";
import { actorOf, currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import type { PublicUser } from "../auth/users.service.js";
import type { PbxSet } from "../calls/pbx-set.js";
import { loggedOutReason } from "../calls/agent-states.js";
import { extensionOf } from "../agents/workspace.routes.js";
import { AppError, notFound } from "../platform/errors.js";
import { parse, pathId } from "../platform/http/validate.js";
import type { Budget } from "../platform/rate-limit.js";
import type { QueueTargets } from "./queue-targets.js";
import type { SpyService } from "./spy.service.js";
import { agentActionBody, extensionParam, queueName, spyBody, targetsBody, tvTokenBody } from "./supervisor.schemas.js";
import type { SupervisorScopes } from "./supervisor-scopes.js";
import type { WallboardModel } from "./wallboard.js";
import { limitTo, type WallboardPush } from "./wallboard-push.js";
import type { WallboardTokens } from "./wallboard-tokens.js";
import type { Wallboard } from "./supervisor.schemas.js";

export interface SupervisorRouteDeps {
  model: WallboardModel;
  push: WallboardPush;
  scopes: SupervisorScopes;
  spy: SpyService;
  status: AgentStatusHub;
  pbxes: PbxSet;
  targets: QueueTargets;
  tokens: WallboardTokens;
  audit: AuditService;
  pauseCodes: string[];
  /** Requests of one address to the TV board (it polls once a second). */
  tvBudget: Budget;
}

/** A number on a public screen: the last four digits only. */
const masked = (n: string) => (n.length > 4 ? `•••${n.slice(-4)}` : n);

/** `public`: the TV board (a wallboard token, no login), mounted before the bearer check. */
export function supervisorRoutes(d: SupervisorRouteDeps): { public: Router; routes: Router } {
  const r = guardedRouter();
  const tvRouter = guardedRouter();

  const boardFor = async (queues: Set<string> | null): Promise<Wallboard> => {
    await d.model.whenLoaded();
    const board = { ...d.model.build(), ...(await d.push.published()) };
    return queues ? limitTo(board, queues) : board;
  };

  /** The agent, if this user may act on them: managers and admins any; a supervisor those of their queues. */
  const mayActOn = async (user: PublicUser, ext: string, queue?: string): Promise<void> => {
    const mine = await d.scopes.queuesOf(user);
    if (!mine) return;
    const agent = d.pbxes.ofAgent(ext).agents.get(ext);
    if (queue && !mine.has(queue)) throw new AppError("FORBIDDEN", `queue ${queue} is not one of yours`);
    if (!queue && !agent?.queues.some((q) => mine.has(q))) throw new AppError("FORBIDDEN", `agent ${ext} is not in one of your queues`);
  };

  const audit = (req: Request, action: string, target: string, details: Record<string, unknown>) => {
    const actor = actorOf(req);
    return d.audit.record({ actorId: actor.id, actorName: actor.username, action, target, details, ip: actor.ip ?? null });
  };

  r.get("/wallboard", async (req, res) => {
    res.json(await boardFor(await d.scopes.queuesOf(currentUser(req))));
  });

  // The TV: no login, a read-only token naming its queues; callers' numbers are masked.
  tvRouter.get("/wallboard/tv", async (req, res) => {
    const token = String(req.get("x-wallboard-token") ?? req.query.token ?? "");
    const taken = await d.tvBudget.take(req.ip ?? "unknown");
    if (!taken.ok) {
      res.setHeader("Retry-After", String(taken.retryAfterSeconds));
      throw new AppError("RATE_LIMITED", "too many wallboard requests from this address");
    }
    const tv = await d.tokens.check(token);
    // Like an unknown page: a wrong token learns nothing (no login to fall back to here).
    if (!tv) throw notFound("wallboard screen (a valid wallboard token is required)");
    const board = await boardFor(tv.queues.length ? new Set(tv.queues) : null);
    res.setHeader("Cache-Control", "no-store");
    res.json({
      ...board,
      screen: tv.name,
      queues: board.queues.map((q) => ({ ...q, waiting: q.waiting.map((w) => ({ ...w, caller: masked(w.caller), client: null })) })),
      agents: board.agents.map((a) => ({ ...a, call: a.call ? { ...a.call, caller: masked(a.call.caller), client: null } : null })),
    });
  });

  r.get("/wallboard/tokens", async (_req, res) => {
    res.json({ tokens: await d.tokens.list() });
  });

  r.post("/wallboard/tokens", async (req, res) => {
    const body = parse(tvTokenBody, req.body);
    const user = currentUser(req);
    const { token, tv } = await d.tokens.create(body.name, body.queues, user.id);
    await audit(req, "wallboard.token.create", `wallboard-token:${tv.id}`, { name: tv.name, queues: tv.queues });
    res.status(201).json({ ...tv, token });
  });

  r.delete("/wallboard/tokens/:id", async (req, res) => {
    const tv = await d.tokens.revoke(pathId(req.params));
    if (!tv) throw notFound("wallboard token");
    await audit(req, "wallboard.token.revoke", `wallboard-token:${tv.id}`, { name: tv.name });
    res.json(tv);
  });

  r.get("/queues/targets", async (req, res) => {
    const mine = await d.scopes.queuesOf(currentUser(req));
    res.json({ targets: d.model.queueNames().filter((q) => !mine || mine.has(q)).map((q) => d.targets.of(q)) });
  });

  r.put("/queues/:queue/targets", async (req, res) => {
    const queue = parse(queueName, req.params.queue);
    const body = parse(targetsBody, req.body);
    const saved = await d.targets.set({ ...d.targets.of(queue), ...body, queue });
    await audit(req, "queue.targets", `queue:${queue}`, { ...body });
    d.scopes.targetsChanged(queue);
    res.json(saved);
  });

  r.post("/supervisor/spy", async (req, res) => {
    const body = parse(spyBody, req.body);
    const user = currentUser(req);
    const ext = extensionOf(user);
    await mayActOn(user, body.agent);
    const started = await d.spy.start({ agent: body.agent, mode: body.mode, supervisor: { id: user.id, name: user.displayName, extension: ext } });
    await audit(req, `supervisor.spy.${body.mode}`, `agent:${body.agent}`, { callId: started.callId, supervisorExtension: ext, switched: started.switched });
    res.status(202).json({ agent: body.agent, mode: body.mode, callId: started.callId, switched: started.switched });
  });

  r.post("/supervisor/spy/stop", async (req, res) => {
    const user = currentUser(req);
    const ended = await d.spy.stop(extensionOf(user));
    if (ended) await audit(req, "supervisor.spy.stop", `agent:${ended.agent}`, { callId: ended.callId, mode: ended.mode });
    res.json({ stopped: ended !== null });
  });

  // Acting on an agent: the same pause the agent's own console sets (re-applied after a PBX restart).
  r.post("/supervisor/agents/:ext/:action", async (req, res) => {
    const ext = parse(extensionParam, req.params.ext);
    const action = req.params.action as string;
    const body = parse(agentActionBody, req.body ?? {});
    const user = currentUser(req);
    if (!["pause", "unpause", "logout", "add"].includes(action)) throw notFound(`agent action ${action}`);
    await mayActOn(user, ext, action === "add" || (action === "logout" && body.queue) ? body.queue : undefined);
    const t = d.pbxes.ofAgent(ext);
    const known = t.agents.get(ext);
    if (!known && action !== "add") throw notFound(`agent ${ext} (in no queue of any PBX)`);
    switch (action) {
      case "pause": {
        const code = body.code ?? (d.pauseCodes.includes("coaching") ? "coaching" : d.pauseCodes[0]!);
        if (!d.pauseCodes.includes(code)) throw new AppError("VALIDATION", `code: one of ${d.pauseCodes.join(", ")}`, "code");
        await d.status.set(ext, "paused", code);
        break;
      }
      case "unpause":
        await d.status.set(ext, "available");
        break;
      case "logout":
        // One queue: that member is paused as logged out (members are static: see dialplan/README.md).
        if (body.queue) await t.commands.pauseMember({ extension: ext, paused: true, reason: loggedOutReason, queue: body.queue });
        else await d.status.set(ext, "logged-out");
        break;
      case "add": {
        if (!body.queue) throw new AppError("VALIDATION", "queue: which queue to add the agent to", "queue");
        // Already a member (logged out of it): back in; otherwise a dynamic member is added.
        if (known?.queues.includes(body.queue)) await t.commands.pauseMember({ extension: ext, paused: false, queue: body.queue });
        else await t.commands.addMember({ extension: ext, queue: body.queue, memberName: d.scopes.nameOf(ext) ?? ext });
        break;
      }
    }
    await audit(req, `supervisor.agent.${action}`, `agent:${ext}`, { code: body.code ?? null, reason: body.reason ?? null, queue: body.queue ?? null });
    res.json({ agent: ext, action, state: d.pbxes.ofAgent(ext).agents.get(ext) ?? null });
  });

  return { public: tvRouter, routes: r };
}
