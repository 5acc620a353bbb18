import { uniqueViolationField } from "../platform/db/db-errors.js";
import type { User } from "../generated/prisma/client.js";
import type { Database } from "../platform/db/database.js";
import { AppError, notFound } from "../platform/errors.js";
import type { AuditService } from "../audit/audit.service.js";
import { hashPassword } from "./passwords.js";
import type { Role } from "./roles.js";
import type { PublicUser } from "./auth.schemas.js";

export type { PublicUser };

export const publicUser = (u: User): PublicUser => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  extension: u.extension,
  active: u.active,
});

export interface Actor {
  id: number;
  username: string;
  ip?: string | undefined;
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  displayName?: string | undefined;
  extension?: string | null | undefined;
}

export interface UserChanges {
  displayName?: string | undefined;
  role?: Role | undefined;
  extension?: string | null | undefined;
  active?: boolean | undefined;
  password?: string | undefined;
}

export class UsersService {
  /** Told after a user was created or changed (the extension directory reloads). */
  onChange: () => void = () => {};

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<PublicUser[]> {
    const users = await this.db.prisma.user.findMany({ orderBy: { username: "asc" } });
    return users.map(publicUser);
  }

  async count(): Promise<number> {
    return this.db.prisma.user.count();
  }

  async create(input: NewUser, actor: Actor | null): Promise<PublicUser> {
    const user = await this.db.prisma.user
      .create({
        data: {
          username: input.username,
          displayName: input.displayName ?? input.username,
          passwordHash: await hashPassword(input.password),
          role: input.role,
          extension: input.extension ?? null,
        },
      })
      .catch(conflictOnUnique);
    await this.audit.record({
      actorId: actor?.id ?? null,
      actorName: actor?.username ?? "system",
      action: "user.create",
      target: `user:${user.id}`,
      details: { username: user.username, role: user.role, extension: user.extension },
      ip: actor?.ip ?? null,
    });
    this.onChange();
    return publicUser(user);
  }

  async update(id: number, changes: UserChanges, actor: Actor): Promise<PublicUser> {
    const before = await this.db.prisma.user.findUnique({ where: { id } });
    if (!before) throw notFound("user");
    const passwordHash = changes.password !== undefined ? await hashPassword(changes.password) : undefined;
    const removesAdmin = (changes.role !== undefined && changes.role !== "admin") || changes.active === false;
    const user = await this.db.prisma
      .$transaction(async (tx) => {
        if (removesAdmin) {
          // Locks the active admins' rows: of two admins demoting each other at once, the second
          // waits, then sees the first is no longer an admin.
          const admins = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM users WHERE role = 'admin' AND active FOR UPDATE`;
          if (admins.some((a) => a.id === id) && !admins.some((a) => a.id !== id))
            throw new AppError(
              "CONFLICT",
              `${before.username} is the last active admin: make another user admin before ${changes.active === false ? "deactivating" : "demoting"} them`,
              changes.active === false ? "active" : "role",
            );
        }
        return tx.user.update({
          where: { id },
          data: {
            ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
            ...(changes.role !== undefined ? { role: changes.role } : {}),
            ...(changes.extension !== undefined ? { extension: changes.extension } : {}),
            ...(changes.active !== undefined ? { active: changes.active } : {}),
            ...(passwordHash !== undefined ? { passwordHash } : {}),
          },
        });
      })
      .catch(conflictOnUnique);
    // A deactivated user or a changed password ends every open session of that user.
    if (changes.active === false || changes.password !== undefined)
      await this.db.prisma.session.deleteMany({ where: { userId: id } });
    const details: Record<string, unknown> = {};
    if (before.role !== user.role) details.role = { from: before.role, to: user.role };
    if (before.extension !== user.extension) details.extension = { from: before.extension, to: user.extension };
    if (before.active !== user.active) details.active = { from: before.active, to: user.active };
    if (changes.password !== undefined) details.password = "changed";
    if (before.displayName !== user.displayName) details.displayName = { from: before.displayName, to: user.displayName };
    await this.audit.record({
      actorId: actor.id,
      actorName: actor.username,
      action: "user.update",
      target: `user:${id}`,
      details,
      ip: actor.ip ?? null,
    });
    this.onChange();
    return publicUser(user);
  }
}

function conflictOnUnique(err: unknown): never {
  if (err instanceof AppError) throw err;
  const field = uniqueViolationField(err);
  if (field) throw new AppError("CONFLICT", `${field}: already taken`, field);
  throw err;
}
