export const roles = ["agent", "supervisor", "manager", "admin"] as const;
export type Role = (typeof roles)[number];

/** Who may do what. Admin may do everything; the lists name the other roles allowed. */
export const can = {
  deleteClients: ["supervisor", "manager"],
  importExport: ["manager"],
  manageUsers: [],
  readAudit: [],
} satisfies Record<string, Role[]>;

export type Permission = keyof typeof can;

export function allowed(role: Role, permission: Permission): boolean {
  return role === "admin" || (can[permission] as readonly Role[]).includes(role);
}
