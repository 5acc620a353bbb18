import type { Router } from "express";
import { z } from "zod";
import { parse, pathId } from "../platform/http/validate.js";
import { queryInt, text } from "../platform/http/input.js";
import { actorOf, currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import type { AuditService } from "../audit/audit.service.js";
import type { ClientsService } from "./clients.service.js";
import type { ContactsService } from "./contacts.service.js";
import type { TimelineService } from "./timeline.service.js";
import type { TasksService } from "./tasks.service.js";
import type { PhoneIndex } from "./phone-index.js";
import {
  clientChangesBody,
  clientListQuery,
  contactBody,
  contactChangesBody,
  newClientBody,
  noteBody,
} from "./clients.schemas.js";
import { newTaskBody, taskChangesBody, taskListQuery } from "./tasks.service.js";
import { csvImportRoutes } from "./csv-import.routes.js";
import type { CsvImports } from "./csv-import-jobs.js";
import { writeClientsCsv } from "./csv-export.js";
import { normalizePhone } from "./phone-numbers.js";
import { assertKeepsNumbers } from "./phone-removal.js";
import type { BulkReadBudget } from "./bulk-read-budget.js";

export interface CrmDeps {
  clients: ClientsService;
  contacts: ContactsService;
  timeline: TimelineService;
  tasks: TasksService;
  phoneIndex: PhoneIndex;
  audit: AuditService;
  /** Rows agents and supervisors may read from client lists (managers export instead). */
  listBudget: BulkReadBudget;
  imports: CsvImports;
  defaultCountry: string;
}

export function crmRoutes(d: CrmDeps): Router {
  const r = guardedRouter();

  r.get("/phone/normalize", (req, res) => {
    const { number } = parse(z.object({ number: text(200) }), req.query);
    const n = normalizePhone(number, d.defaultCountry);
    res.json({
      input: number,
      kind: n.kind,
      number: "number" in n ? n.number : null,
      valid: n.kind === "internal" || (n.kind === "e164" && n.valid),
      country: n.kind === "e164" ? n.country : null,
      ...(n.kind === "invalid" ? { reason: n.reason } : {}),
    });
  });

  r.get("/clients", async (req, res) => {
    const q = parse(clientListQuery, req.query);
    const user = currentUser(req);
    const settle = await d.listBudget.reserve(user, req.ip, "clients", q.limit, q);
    let returned = 0;
    try {
      const page = await d.clients.list(q, user);
      returned = page.items.length;
      res.json(page);
    } finally {
      await settle(returned);
    }
  });
  r.post("/clients", async (req, res) => {
    res.status(201).json(await d.clients.create(parse(newClientBody, req.body), actorOf(req)));
  });
  r.get("/clients/export.csv", async (req, res) => {
    const { limit: _l, cursor: _c, ...q } = parse(clientListQuery, req.query);
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="clients-${new Date().toISOString().slice(0, 10)}.csv"`);
    const n = await writeClientsCsv(d.clients.iterate(q, currentUser(req)), res);
    const a = actorOf(req);
    await d.audit.record({ actorId: a.id, actorName: a.username, action: "clients.export", details: { filters: q, rows: n }, ip: a.ip ?? null });
  });
  // Before /clients/:id, so /clients/import/... is not read as a client id.
  r.use(csvImportRoutes(d.imports));
  r.get("/clients/:id", async (req, res) => {
    res.json(await d.clients.get(pathId(req.params)));
  });
  r.patch("/clients/:id", async (req, res) => {
    const id = pathId(req.params);
    const changes = parse(clientChangesBody, req.body);
    const current = async () => (await d.clients.get(id)).phones.map((p) => p.number);
    await assertKeepsNumbers(currentUser(req), current, changes.phones, d.defaultCountry);
    res.json(await d.clients.update(id, changes, actorOf(req)));
  });
  r.delete("/clients/:id", async (req, res) => {
    await d.clients.remove(pathId(req.params), actorOf(req));
    res.status(204).end();
  });
  r.get("/clients/:id/timeline", async (req, res) => {
    const q = parse(
      z.object({ limit: queryInt(1, 200).default(50), cursor: text(200).optional() }),
      req.query,
    );
    res.json(await d.timeline.list(pathId(req.params), q.limit, q.cursor));
  });
  r.post("/clients/:id/notes", async (req, res) => {
    const { body } = parse(noteBody, req.body);
    res.status(201).json(await d.timeline.addNote(pathId(req.params), body, currentUser(req).id));
  });
  r.post("/clients/:id/contacts", async (req, res) => {
    res.status(201).json(await d.contacts.create(pathId(req.params), parse(contactBody, req.body)));
  });
  r.patch("/contacts/:id", async (req, res) => {
    res.json(await d.contacts.update(pathId(req.params), parse(contactChangesBody, req.body), currentUser(req)));
  });
  r.delete("/contacts/:id", async (req, res) => {
    await d.contacts.remove(pathId(req.params));
    res.status(204).end();
  });

  r.get("/tasks", async (req, res) => {
    res.json({ items: await d.tasks.list(parse(taskListQuery, req.query), currentUser(req)) });
  });
  r.post("/tasks", async (req, res) => {
    res.status(201).json(await d.tasks.create(parse(newTaskBody, req.body), currentUser(req)));
  });
  r.patch("/tasks/:id", async (req, res) => {
    res.json(await d.tasks.update(pathId(req.params), parse(taskChangesBody, req.body), currentUser(req)));
  });
  return r;
}
