// Where each role starts when it opens the console without an address of its own: agents on
// their clients, supervisors and managers on the live wallboard.
export function landingPage(role: string, hash: string): string | null {
  if (hash && hash !== "#" && hash !== "#/") return null;
  return role === "agent" ? null : "#/wallboard";
}
