// Where each role starts when it opens the console without an address of its own: agents on
// their clients, supervisors on the live wallboard, managers on the reports, administrators on
// the wallboard.
export function landingPage(role: string, hash: string): string | null {
  if (hash && hash !== "#" && hash !== "#/") return null;
  if (role === "agent") return null;
  return role === "manager" ? "#/reports" : "#/wallboard";
}
