import { z } from "zod";
import { text } from "../platform/http/input.js";
import { spyModes } from "./spy.service.js";

export const queueName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name");
/** An agent's extension as the PBX names the phone (PJSIP/<ext>): digits only, so nothing else reaches AMI. */
export const extensionParam = z.string().regex(/^\d{2,8}$/, "an extension (2 to 8 digits)");

export const spyBody = z.object({ agent: extensionParam, mode: z.enum(spyModes) }).strict();

/** Why a supervisor acts on an agent: kept in the audit log; pause reasons are the PAUSE_CODES. */
export const agentActionBody = z
  .object({
    /** The pause code (PAUSE_CODES) for `pause`; `coaching` when the list has it, else the first. */
    code: z.string().max(30).optional(),
    reason: text(200).optional(),
    queue: queueName.optional(),
  })
  .strict();

const optionalLimit = (max: number) => z.number().int().min(0).max(max).nullable().optional();

export const targetsBody = z
  .object({
    targetSeconds: z.number().int().min(1).max(3600).optional(),
    targetPercent: z.number().int().min(1).max(100).optional(),
    maxWaitSeconds: optionalLimit(86_400),
    minServiceLevel: optionalLimit(100),
    maxWaiting: optionalLimit(10_000),
  })
  .strict();

export const tvTokenBody = z.object({ name: text(80, { required: "a name for the screen" }), queues: z.array(queueName).max(200).default([]) }).strict();
