/** One route an express app answers: method and full path as declared. */
export interface RouteInfo {
  method: string;
  path: string;
}

interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/**
 * Every route of an express 5 app or router, nested routers included (walks the router stack:
 * `route` layers are endpoints, layers whose handle has a `stack` are mounted routers).
 */
export function listRoutes(router: { stack?: LayerLike[] } | undefined, prefix = ""): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const layer of router?.stack ?? []) {
    if (layer.route) {
      const path = prefix + String(layer.route.path);
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== "_all") out.push({ method: method.toUpperCase(), path });
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
      out.push(...listRoutes(layer.handle, prefix + mount));
    }
  }
  return out;
}
