// The wallboard as the server sends it: generated from the server's schemas
// (server/supervisor/supervisor.schemas.ts; `npm run api:types`). docs/api.md has the prose.
import type { Schema } from "../api/types";

export type WallboardAgent = Schema<"WallboardAgent">;
export type WallboardQueue = Schema<"WallboardQueue">;
export type Wallboard = Schema<"Wallboard">;
/** GET /api/wallboard/tv: callers' numbers masked, no clients. */
export type TvWallboard = Schema<"TvWallboard">;
/** Socket.IO `wallboard:update`: the queues and agents that changed (whole entries). */
export type WallboardUpdate = Schema<"WallboardUpdate">;
/** Socket.IO `supervisor:alert`. */
export type SupervisorAlert = Schema<"SupervisorAlert">;

export interface SpyNotice {
  agent: string;
  mode: string;
  supervisor: string;
  callId: string;
  active: boolean;
}
