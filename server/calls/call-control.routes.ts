import type { Request, Router } from "express";
import { z } from "zod";
import type { Database } from "../platform/db/database.js";
import { parse } from "../platform/http/validate.js";
import { idNumber, text } from "../platform/http/input.js";
import { AppError, notFound, validationError } from "../platform/errors.js";
import { currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { allowed } from "../auth/roles.js";
import type { TimelineService } from "../crm/timeline.service.js";
import type { ClientsService } from "../crm/clients.service.js";
import { checkDialable, type DialingRules } from "../agents/dialing-rules.js";
import { toHttp } from "../agents/agent-status.service.js";
import type { AgentStatusHub } from "../agents/agent-status-hub.js";
import { extensionOf } from "../agents/workspace.routes.js";
import type { PbxSet } from "./pbx-set.js";
import type { Telephony } from "./telephony.js";
import type { TrackedCall } from "./call.types.js";

export interface CallControlDeps {
  db: Database;
  pbxes: PbxSet;
  timeline: TimelineService;
  clients: ClientsService;
  status: AgentStatusHub;
  rules: DialingRules;
  dispositions: string[];
  /** Call scripts: a captured value that cannot be written refuses the wrap-up; once saved, the run is written out. */
  scripts?: {
    checkWrapup(linkedid: string): Promise<void>;
    applyWrapup(w: { linkedid: string; clientId: number | null; number: string | null; queue: string | null; actor: { id: number; username: string } }): Promise<void>;
  };
  /** A wrap-up was saved (the wallboard shows each agent's last disposition). */
  onWrapup?: (agentExtension: string, disposition: string) => void;
}

// Asterisk prefixes every Uniqueid with its `systemname` when one is set (asterisk.conf), which
// several PBXs need so their Linkedids differ: "pbx1-1795598250.0".
export const callId = z.string().regex(/^([A-Za-z0-9_]{1,32}-)?[0-9]{6,12}\.[0-9]{1,9}$/, "a call id (Asterisk Linkedid such as 1795598250.0 or pbx1-1795598250.0)");

export const originateBody = z.object({ number: z.string().max(60), clientId: idNumber.optional() }).strict();
export const transferBody = z.object({ to: z.string().regex(/^([0-9]{2,8}|[A-Za-z][A-Za-z0-9_-]{0,63})$/, "an extension or a queue name") }).strict();

export function callControlRoutes(d: CallControlDeps): Router {
  const r = guardedRouter();
  const wrapupBody = z
    .object({
      disposition: z.enum(d.dispositions as [string, ...string[]], { message: `one of: ${d.dispositions.join(", ")}` }),
      note: text(10_000, { multiline: true }).optional(),
      clientId: idNumber.nullable().optional(),
    })
    .strict();

  /** The agent's own leg of a live call, so agents only act on calls they are on. */
  const myLeg = (req: Request): { call: TrackedCall; channel: string; ext: string; pbx: Telephony } => {
    const ext = extensionOf(currentUser(req));
    const id = parse(z.object({ callId }), req.params).callId;
    const found = d.pbxes.ofCall(id);
    if (!found) throw notFound(`live call ${id}`);
    const leg = [...found.call.legs.values()].find((l) => l.ext === ext && !l.ended && l.up);
    if (!leg) throw new AppError("FORBIDDEN", "you are not on this call");
    return { call: found.call, channel: leg.channel, ext, pbx: found.pbx };
  };

  r.post("/calls/originate", async (req, res) => {
    const ext = extensionOf(currentUser(req));
    const body = parse(originateBody, req.body);
    const number = checkDialable(body.number, d.rules);
    if (body.clientId) await d.clients.assertClient(body.clientId);
    await d.pbxes
      .ofAgent(ext)
      .commands.originateToCustomer({ extension: ext, number, callerName: `Call ${number}`, variables: body.clientId ? { CRM_CLIENT_ID: String(body.clientId) } : {} })
      .catch((err: unknown) => {
        throw toHttp(err);
      });
    res.status(202).json({ number });
  });

  r.post("/calls/:callId/hangup", async (req, res) => {
    const { channel, pbx } = myLeg(req);
    await pbx.commands.hangup(channel).catch((err: unknown) => {
      throw toHttp(err);
    });
    res.status(204).end();
  });

  r.post("/calls/:callId/transfer", async (req, res) => {
    const { channel, pbx } = myLeg(req);
    const { to } = parse(transferBody, req.body);
    await pbx.commands.blindTransfer({ channel, exten: to, context: "transfer" }).catch((err: unknown) => {
      throw toHttp(err);
    });
    res.status(202).json({ to });
  });

  /**
   * The agent picks, on the card, which client a call is about (a number several clients share
   * links none by itself). On a live call the pick is set on the agent's channel as CRM_CLIENT_ID,
   * so the node that journals the call links it; on an ended call it updates the journal row.
   */
  r.post("/calls/:callId/client", async (req, res) => {
    const user = currentUser(req);
    const id = parse(z.object({ callId }), req.params).callId;
    const { clientId } = parse(z.object({ clientId: idNumber }).strict(), req.body);
    await d.clients.assertClient(clientId).catch(() => {
      throw validationError("clientId", `no client ${clientId}`);
    });
    if (d.pbxes.ofCall(id)) {
      const { channel, pbx } = myLeg(req);
      await pbx.commands.setVariable({ channel, name: "CRM_CLIENT_ID", value: String(clientId) }).catch((err: unknown) => {
        throw toHttp(err);
      });
      res.status(202).json({ callId: id, clientId });
      return;
    }
    await d.pbxes.journaled(id);
    const row = await d.db.prisma.call.findUnique({ where: { linkedid: id } });
    if (!row) throw notFound(`call ${id}`);
    if ((user.extension === null || row.agentExtension !== user.extension) && !allowed(user.role, "wrapUpAnyCall"))
      throw new AppError("FORBIDDEN", "this is not your call: only the agent who took it, or a supervisor, may say whose it is");
    await d.db.prisma.call.update({ where: { id: row.id }, data: { clientId } });
    // The call is in the picked client's history now, and no longer in another's: their cards changed.
    for (const changed of new Set([clientId, row.clientId])) if (changed) await d.clients.changed(changed);
    res.json({ callId: id, clientId });
  });

  r.post("/calls/:callId/wrapup", async (req, res) => {
    const user = currentUser(req);
    const id = parse(z.object({ callId }), req.params).callId;
    const body = parse(wrapupBody, req.body);
    let row = await d.db.prisma.call.findUnique({ where: { linkedid: id } });
    if (!row && !d.pbxes.ofCall(id)) {
      // The journal writes in batches, on the node holding the PBX: the row may be a moment behind the call's end.
      await d.pbxes.journaled(id);
      row = await d.db.prisma.call.findUnique({ where: { linkedid: id } });
    }
    if (!row) throw d.pbxes.ofCall(id) ? new AppError("CONFLICT", "the call is still in progress") : notFound(`call ${id}`);
    // Only the agent who was on the call: a call nobody answered (no agent extension), or a user
    // without an extension, is nobody's to wrap up but a supervisor's.
    const mine = user.extension !== null && row.agentExtension === user.extension;
    if (!mine && !allowed(user.role, "wrapUpAnyCall"))
      throw new AppError("FORBIDDEN", "this is not your call: only the agent who took it, or a supervisor, may wrap it up");
    const clientId = body.clientId === undefined ? row.clientId : body.clientId;
    if (clientId) await d.clients.assertClient(clientId).catch(() => {
      throw validationError("clientId", `no client ${clientId}`);
    });
    await d.scripts?.checkWrapup(id);
    const saved = await d.db.prisma.call.update({
      where: { id: row.id },
      // rollupPending: the reports fold the disposition and wrap-up time in again (server/reports/report-rollup.ts).
      data: { disposition: body.disposition, wrapupNote: body.note ?? null, wrappedAt: new Date(), wrappedById: user.id, clientId, rollupPending: true },
    });
    // The call left the client it was journaled under: that client's history (its card) changed too.
    if (row.clientId && row.clientId !== clientId) await d.clients.changed(row.clientId);
    if (clientId) {
      const what = saved.direction === "outbound" ? "Outbound call" : "Inbound call";
      await d.timeline.addNote(clientId, `${what} · ${body.disposition}${body.note ? `\n${body.note}` : ""}`, user.id);
    }
    await d.scripts?.applyWrapup({
      linkedid: id,
      clientId,
      number: saved.direction === "outbound" ? (saved.customerNumber ?? saved.calledNumber) : saved.callerNumber,
      queue: saved.queue,
      actor: { id: user.id, username: user.username },
    });
    if (user.extension && row.agentExtension === user.extension) await d.status.endWrapup(user.extension);
    if (row.agentExtension) d.onWrapup?.(row.agentExtension, body.disposition);
    res.json({ id: saved.id, linkedid: saved.linkedid, disposition: saved.disposition, wrapupNote: saved.wrapupNote, clientId: saved.clientId, wrappedAt: saved.wrappedAt });
  });
  return r;
}
