import { z } from "zod";
import { text } from "../platform/http/input.js";

/** What an API token may do; each scope opens a fixed set of routes (server/auth/roles.ts apiScopes). */
export const apiScopeNames = ["calls:read", "clients:read", "clients:write", "events:stream"] as const;
export type ApiScope = (typeof apiScopeNames)[number];

export const newApiTokenBody = z
  .object({
    name: text(100, { required: "a name" }),
    scopes: z.array(z.enum(apiScopeNames)).min(1, "at least one scope").max(apiScopeNames.length),
  })
  .strict();

export const apiTokenCreated = z
  .object({
    id: z.number().int(),
    /** The token itself: shown this once, only its hash is kept. */
    token: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(apiScopeNames)),
  })
  .meta({ id: "ApiTokenCreated" });

export const apiTokenDto = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string().meta({ description: "the token's first characters, to tell tokens apart" }),
    scopes: z.array(z.enum(apiScopeNames)),
    createdBy: z.object({ id: z.number().int(), displayName: z.string() }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "ApiToken" });
export type ApiTokenDto = z.output<typeof apiTokenDto>;

export const apiTokenList = z.object({ items: z.array(apiTokenDto) });

/** `GET /api/stream?after=<seq>`: resume after this event. */
export const streamQuery = z
  .object({
    after: z
      .string()
      .regex(/^(0|[1-9][0-9]{0,15})$/, "must be a sequence number (decimal digits)")
      .transform(Number)
      .optional(),
  })
  .strict();

/** One event on /api/stream and in webhooks. */
export const streamEvent = z
  .object({
    seq: z.number().int(),
    type: z.string().meta({ description: "call.started, call.queued, call.ringing, call.answered, call.transferred, call.ended, agent.state, queue.update, client.changed" }),
    at: z.string(),
  })
  .catchall(z.unknown())
  .meta({ id: "StreamEvent" });
