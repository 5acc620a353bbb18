import { z } from "zod";
import { dateInput, idNumber, idParam, text } from "../platform/http/input.js";
import { inputFormats, stepTypes } from "./script-graph.js";

const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "a step id: letters, digits, _ or - (40 at most)");
// The console's Content-Security-Policy loads images from this server and data: URLs only, so an
// image is a path here or an embedded picture (the designer embeds the file it is given).
const image = z
  .string()
  .max(400_000, "an embedded image of at most about 300 KB")
  .regex(/^(\/[^\s"'<>]*|data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*)$/, "a path on this server (/…) or a data:image/(png|jpeg|gif|webp);base64 URL");

/** One step; unknown fields are refused (strict), so a typo in an imported file is named. */
export const stepSchema = z
  .object({
    type: z.enum(stepTypes),
    title: text(80).optional(),
    text: text(4000, { multiline: true }).optional(),
    options: z.array(z.object({ label: text(200, { required: "an answer needs a label" }), next: stepId }).strict()).max(12, "at most 12 answers (number keys pick them)").optional(),
    next: stepId.optional(),
    field: z.string().max(60).optional(),
    format: z.enum(inputFormats).optional(),
    outcome: text(60).optional(),
    tip: text(2000, { multiline: true }).optional(),
    image: image.optional(),
    script: idNumber.optional(),
  })
  .strict();

export const graphSchema = z
  .object({
    start: z.string().max(40),
    steps: z.record(stepId, stepSchema).refine((s) => Object.keys(s).length <= 300, "at most 300 steps"),
  })
  .strict();

const scriptName = text(120, { required: "a script needs a name" });

export const newScriptBody = z.object({ name: scriptName, graph: graphSchema }).strict();
export const draftBody = z.object({ graph: graphSchema, name: scriptName.optional() }).strict();
/** What export gives and import takes. */
export const importBody = z.object({ format: z.literal("crm-script/1").optional(), name: scriptName, graph: graphSchema, version: z.number().int().optional() }).strict();
export const versionQuery = z.object({ version: idParam.optional() }).strict();

const queueName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name");
export const ruleBody = z
  .object({
    queue: queueName.optional(),
    did: z.string().min(1).max(60).regex(/^[^\r\n]+$/, "a number or campaign label").optional(),
    direction: z.enum(["inbound", "outbound"]).optional(),
    stage: z.enum(["prospect", "active", "regular", "lost"]).optional(),
    tag: text(40).optional(),
    scriptId: idNumber,
  })
  .strict();

export const runBody = z
  .object({
    scriptId: idNumber,
    version: z.number().int().min(1),
    path: z
      .array(z.object({ step: stepId, answer: text(200).optional(), value: text(2000, { multiline: true }).optional(), at: dateInput }).strict())
      .min(1, "a run has at least its start step")
      .max(500),
  })
  .strict();

export const funnelQuery = z
  .object({
    version: idParam.optional(),
    from: dateInput.optional(),
    to: dateInput.optional(),
    queue: queueName.optional(),
    agent: z.string().regex(/^[0-9]{2,8}$/, "an extension").optional(),
    format: z.enum(["json", "csv"]).optional(),
  })
  .strict();

// ---- GET /api/scripts/:id/funnel: where customers are lost (script-funnel.ts computes it) ----

export const funnelStep = z.object({
  step: z.string(),
  type: z.string(),
  title: z.string().nullable(),
  reached: z.number().int().meta({ description: "runs that reached the step (once per run)" }),
  left: z.number().int().meta({ description: "runs that stopped there without finishing" }),
  byAnswer: z.record(z.string(), z.number().int()),
  medianSeconds: z.number().nullable().meta({ description: "median time from reaching the step to the next one" }),
});
export type FunnelStep = z.infer<typeof funnelStep>;

export const funnelBreakdown = z.object({ key: z.string(), runs: z.number().int(), completed: z.number().int(), converted: z.number().int() });
export type Breakdown = z.infer<typeof funnelBreakdown>;

export const funnel = z.object({
  runs: z.number().int(),
  completed: z.number().int(),
  outcomes: z.record(z.string(), z.number().int()),
  steps: z.array(funnelStep),
  byQueue: z.array(funnelBreakdown).meta({ description: "conversion (runs ending in a converting outcome) by queue" }),
  byCampaign: z.array(funnelBreakdown),
  byAgent: z.array(funnelBreakdown),
});
export type Funnel = z.infer<typeof funnel>;

export const scriptFunnel = funnel.extend({ scriptId: z.number().int(), version: z.number().int(), name: z.string() }).meta({ id: "ScriptFunnel" });
export type ScriptFunnel = z.infer<typeof scriptFunnel>;
