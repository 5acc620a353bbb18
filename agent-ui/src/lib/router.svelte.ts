// Hash routing without a library: #/clients, #/clients/new(?phone=…&call=…), #/clients/12,
// #/clients/12/edit, #/tasks, #/calls, #/callbacks, #/callbacks/queues, #/recordings, #/recordings/7, #/admin/users, #/admin/audit.

export type Route =
  | { name: "clients" }
  | { name: "client-new"; phone: string; callId: string }
  | { name: "client"; id: number }
  | { name: "client-edit"; id: number }
  | { name: "tasks" }
  | { name: "calls" }
  | { name: "callbacks" }
  | { name: "callbacks-board" }
  | { name: "recordings" }
  | { name: "recording"; id: number }
  | { name: "admin-users" }
  | { name: "admin-audit" }
  | { name: "wallboard" }
  | { name: "tv"; token: string }
  | { name: "scripts"; id: number | null }
  | { name: "script-funnel"; id: number }
  | { name: "reports" }
  | { name: "admin-api" }
  | { name: "not-found"; path: string };

export function parseHash(hash: string): Route {
  const [rawPath = "", search = ""] = hash.replace(/^#/, "").split("?", 2);
  const path = rawPath.replace(/\/+$/, "") || "/clients";
  const query = new URLSearchParams(search);
  const parts = path.split("/").filter(Boolean);
  const [a, b, c] = parts;
  if (a === "clients") {
    if (parts.length === 1) return { name: "clients" };
    if (b === "new" && parts.length === 2)
      // An unencoded "+" reads as a space in a query string: put it back on a phone number.
      return { name: "client-new", phone: (query.get("phone") ?? "").replace(/^ (?=\d)/, "+"), callId: query.get("call") ?? "" };
    if (b && /^\d+$/.test(b)) {
      if (parts.length === 2) return { name: "client", id: Number(b) };
      if (c === "edit" && parts.length === 3) return { name: "client-edit", id: Number(b) };
    }
  }
  if (a === "tasks" && parts.length === 1) return { name: "tasks" };
  if (a === "calls" && parts.length === 1) return { name: "calls" };
  if (a === "callbacks" && parts.length === 1) return { name: "callbacks" };
  if (a === "callbacks" && b === "queues" && parts.length === 2) return { name: "callbacks-board" };
  if (a === "recordings") {
    if (parts.length === 1) return { name: "recordings" };
    if (parts.length === 2 && b && /^\d+$/.test(b)) return { name: "recording", id: Number(b) };
  }
  if (a === "scripts") {
    if (parts.length === 1) return { name: "scripts", id: null };
    if (b && /^\d+$/.test(b) && parts.length === 2) return { name: "scripts", id: Number(b) };
    if (b && /^\d+$/.test(b) && c === "funnel" && parts.length === 3) return { name: "script-funnel", id: Number(b) };
  }
  if (a === "reports" && parts.length === 1) return { name: "reports" };
  if (a === "admin" && b === "api" && parts.length === 2) return { name: "admin-api" };
  if (a === "wallboard" && parts.length === 1) return { name: "wallboard" };
  if (a === "tv" && parts.length === 1) return { name: "tv", token: query.get("token") ?? "" };
  if (a === "admin" && parts.length === 2) {
    if (b === "users") return { name: "admin-users" };
    if (b === "audit") return { name: "admin-audit" };
  }
  return { name: "not-found", path };
}

export const router = $state<{ route: Route }>({ route: parseHash(location.hash) });

window.addEventListener("hashchange", () => {
  router.route = parseHash(location.hash);
});

export function navigate(path: string): void {
  const hash = path.startsWith("#") ? path : `#${path}`;
  if (location.hash === hash) router.route = parseHash(hash);
  else location.hash = hash;
}
