import type { Router } from "express";
import { z } from "zod";
import { parse } from "../platform/http/validate.js";
import { AppError, notFound } from "../platform/errors.js";
import { currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { extensionOf } from "../agents/workspace.routes.js";
import type { AmiSimulator } from "../pbx/sim/ami-simulator.js";
import { phoneKey } from "../crm/phone-numbers.js";

/**
 * The demo's "simulated phone": with the built-in simulator as PBX, a person plays the agent from
 * the console (answer, hang up, hold, resume), or makes the simulator ring their queue.
 */
export function demoPhoneRoutes(sim: AmiSimulator | null, defaultCountry: string, knownNumbers: () => string[]): Router {
  const r = guardedRouter();
  const body = z.object({ on: z.boolean().optional(), from: z.string().max(40).optional() }).strict();
  r.post("/demo/phone/:action", (req, res) => {
    if (!sim) throw notFound("the simulated phone (the PBX is a real Asterisk)");
    const ext = extensionOf(currentUser(req));
    const agent = sim.pbx.agent(ext);
    if (!agent) throw notFound(`simulated phone ${ext}`);
    const b = parse(body, req.body ?? {});
    const pbx = sim.pbx;
    let ok = true;
    switch (req.params.action) {
      case "answer":
        ok = pbx.answer(ext) || pbx.originateAnswered(ext);
        break;
      case "hangup":
        ok = pbx.agentHangup(ext);
        break;
      case "hold":
      case "resume":
        ok = pbx.hold(ext, req.params.action === "hold");
        break;
      case "manual":
        agent.autoAnswer = !(b.on ?? true);
        break;
      case "call-me": {
        const from = b.from ? phoneKey(b.from, defaultCountry) : (knownNumbers()[Math.floor(Math.random() * Math.max(1, knownNumbers().length))] ?? "+14155550123");
        if (!from) throw new AppError("VALIDATION", "from: not a phone number", "from");
        const queue = pbx.config.queues.find((q) => q.members.includes(ext));
        const did = Object.entries(pbx.config.dids).find(([, q]) => q === queue?.name)?.[0];
        pbx.inboundCall({ from, name: "Demo caller", did });
        break;
      }
      default:
        throw notFound(`phone action ${req.params.action}`);
    }
    if (!ok) throw new AppError("CONFLICT", `nothing to ${req.params.action} on phone ${ext}`);
    res.status(204).end();
  });
  return r;
}
