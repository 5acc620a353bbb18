import type { Router } from "express";
import { parse, pathId } from "../platform/http/validate.js";
import { AppError } from "../platform/errors.js";
import { actorOf } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { importQuery } from "./csv-import.js";
import type { CsvImports } from "./csv-import-jobs.js";
import { storeUpload } from "./csv-upload.js";

/**
 * POST /clients/import takes the CSV body, checks and stores it, and answers 202 with the queued
 * import; the work happens in the background (csv-import-jobs.ts). GET /clients/import/:id is its
 * progress and, once done, its report.
 */
export function csvImportRoutes(imports: CsvImports): Router {
  const r = guardedRouter();
  r.post("/clients/import", async (req, res) => {
    const type = req.headers["content-type"] ?? "";
    if (!/^(text\/csv|text\/plain|application\/csv|application\/vnd\.ms-excel)\b/i.test(type))
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", "send the file as Content-Type: text/csv");
    const q = parse(importQuery, req.query);
    const declared = req.headers["content-length"] ? Number(req.headers["content-length"]) : null;
    const upload = await storeUpload(req, q.encoding, imports.uploadDir, Number.isFinite(declared) ? declared : null).catch((err: unknown) => {
      // The rest of a refused body is not read: close the connection after the answer.
      res.setHeader("Connection", "close");
      throw err;
    });
    const job = await imports.create(upload, { dryRun: q.dryRun, actor: actorOf(req) });
    res.status(202).location(`/api/clients/import/${job.id}`).json(job);
  });
  r.get("/clients/import/:id", async (req, res) => {
    res.json(await imports.get(pathId(req.params)));
  });
  return r;
}
