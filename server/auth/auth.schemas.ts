import { z } from "zod";
import { roles } from "./roles.js";

/** A user as the API sends one (GET /api/users, POST and PATCH answers): never the password hash. */
export const publicUserDto = z
  .object({
    id: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(roles),
    extension: z.string().nullable(),
    active: z.boolean(),
  })
  .meta({ id: "User" });
export type PublicUser = z.infer<typeof publicUserDto>;
