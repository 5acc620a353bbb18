import type { Prisma } from "../generated/prisma/client.js";
import type { Database } from "../platform/db/database.js";
import { notFound, validationError } from "../platform/errors.js";
import type { AuditService } from "../audit/audit.service.js";
import type { Actor } from "../auth/users.service.js";
import { clientInclude, toClientDto, type ClientDto } from "./client-dto.js";
import type { ClientChanges, ClientListQuery, NewClient } from "./clients.schemas.js";
import { normalizePhoneList } from "./phone-input.js";
import { normalizePhone } from "./phone-numbers.js";
import type { PhoneIndex } from "./phone-index.js";

/** Told after any client, its phones or contacts changed (realtime push, index fan-out). */
export type ClientChangeListener = (clientId: number) => void;

export interface ClientsDeps {
  db: Database;
  audit: AuditService;
  phoneIndex: PhoneIndex;
  defaultCountry: string;
  onChange: ClientChangeListener;
}

export class ClientsService {
  constructor(private readonly d: ClientsDeps) {}

  async create(input: NewClient, actor: Actor | null): Promise<ClientDto> {
    const phones = normalizePhoneList(input.phones ?? [], this.d.defaultCountry);
    if (input.ownerId != null) await this.assertUser(input.ownerId, "ownerId");
    const stage = input.stage ?? "prospect";
    const client = await this.d.db.prisma.client.create({
      data: {
        ...scalarFields(input),
        name: input.name,
        nameLower: input.name.toLowerCase(),
        stage,
        phones: { create: phones },
        stageChanges: { create: { fromStage: null, toStage: stage, changedById: actor?.id ?? null } },
      },
      include: clientInclude,
    });
    await this.changed(client.id);
    return toClientDto(client);
  }

  async get(id: number): Promise<ClientDto> {
    const client = await this.d.db.prisma.client.findFirst({ where: { id, deletedAt: null }, include: clientInclude });
    if (!client) throw notFound(`client ${id}`);
    return toClientDto(client);
  }

  async update(id: number, changes: ClientChanges, actor: Actor): Promise<ClientDto> {
    const before = await this.d.db.prisma.client.findFirst({ where: { id, deletedAt: null } });
    if (!before) throw notFound(`client ${id}`);
    const phones = changes.phones ? normalizePhoneList(changes.phones, this.d.defaultCountry) : null;
    if (changes.ownerId != null) await this.assertUser(changes.ownerId, "ownerId");
    const stageChanged = changes.stage !== undefined && changes.stage !== before.stage;
    const client = await this.d.db.prisma.$transaction(async (tx) => {
      if (phones) {
        await tx.phone.deleteMany({ where: { clientId: id, contactId: null } });
        await tx.phone.createMany({ data: phones.map((p) => ({ ...p, clientId: id })) });
      }
      if (stageChanged)
        await tx.stageChange.create({
          data: { clientId: id, fromStage: before.stage, toStage: changes.stage!, changedById: actor.id },
        });
      return tx.client.update({
        where: { id },
        data: {
          ...scalarFields(changes),
          ...(changes.name !== undefined ? { name: changes.name, nameLower: changes.name.toLowerCase() } : {}),
          ...(changes.stage !== undefined ? { stage: changes.stage } : {}),
        },
        include: clientInclude,
      });
    });
    await this.changed(id);
    return toClientDto(client);
  }

  /** Soft delete: the client leaves lists and caller lookup; its history stays for the journal. */
  async remove(id: number, actor: Actor): Promise<void> {
    const r = await this.d.db.prisma.client.updateMany({
      where: { id, deletedAt: null },
      data: { deletedAt: new Date() },
    });
    if (r.count === 0) throw notFound(`client ${id}`);
    await this.d.audit.record({
      actorId: actor.id,
      actorName: actor.username,
      action: "client.delete",
      target: `client:${id}`,
      ip: actor.ip ?? null,
    });
    await this.changed(id);
  }

  async list(q: ClientListQuery, me: { id: number }): Promise<{ items: ClientDto[]; next: string | null }> {
    const where = await this.whereOf(q, me);
    if (where === null) return { items: [], next: null };
    const rows = await this.d.db.prisma.client.findMany({
      where,
      include: clientInclude,
      orderBy: orderOf(q.sort),
      take: q.limit + 1,
      ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    });
    const items = rows.slice(0, q.limit);
    return { items: items.map(toClientDto), next: rows.length > q.limit ? String(items[items.length - 1]!.id) : null };
  }

  /** Walks every client matching the filters in pages (CSV export), without holding them all. */
  async *iterate(q: Omit<ClientListQuery, "limit" | "cursor">, me: { id: number }): AsyncGenerator<ClientDto> {
    let cursor: number | undefined;
    for (;;) {
      const page = await this.list({ ...q, limit: 200, cursor }, me);
      yield* page.items;
      if (!page.next) return;
      cursor = Number(page.next);
    }
  }

  /** The clients that own a number written in any form (their own numbers or a contact's). */
  async findByPhone(written: string): Promise<ClientDto[]> {
    const n = normalizePhone(written, this.d.defaultCountry);
    if (n.kind === "invalid") throw validationError("phone", n.reason);
    if (n.kind === "withheld") return [];
    const owners = await this.d.phoneIndex.lookup(n.number);
    const ids = [...new Set(owners.map((o) => o.clientId))];
    if (ids.length === 0) return [];
    const rows = await this.d.db.prisma.client.findMany({
      where: { id: { in: ids }, deletedAt: null },
      include: clientInclude,
      orderBy: { id: "asc" },
    });
    return rows.map(toClientDto);
  }

  /** After a write: the phone index re-reads the client, listeners hear of it. */
  async changed(clientId: number): Promise<void> {
    await this.d.phoneIndex.refreshClient(clientId);
    this.d.onChange(clientId);
  }

  async assertClient(id: number): Promise<void> {
    const c = await this.d.db.prisma.client.findFirst({ where: { id, deletedAt: null }, select: { id: true } });
    if (!c) throw notFound(`client ${id}`);
  }

  private async assertUser(id: number, field: string): Promise<void> {
    const u = await this.d.db.prisma.user.findUnique({ where: { id }, select: { id: true } });
    if (!u) throw validationError(field, `no user with id ${id}`);
  }

  private async whereOf(q: ClientListQuery, me: { id: number }): Promise<Prisma.ClientWhereInput | null> {
    const and: Prisma.ClientWhereInput[] = [{ deletedAt: null }];
    if (q.phone) {
      const n = normalizePhone(q.phone, this.d.defaultCountry);
      if (n.kind === "invalid") throw validationError("phone", `'${q.phone.slice(0, 60)}' is ${n.reason}`);
      if (n.kind === "withheld") return null;
      const ids = [...new Set((await this.d.phoneIndex.lookup(n.number)).map((o) => o.clientId))];
      if (ids.length === 0) return null;
      and.push({ id: { in: ids } });
    }
    if (q.q) {
      const s = escapeLike(q.q.toLowerCase());
      // A prefix of the name (btree on name_lower) or of any later word of it.
      and.push({ OR: [{ nameLower: { startsWith: s } }, { nameLower: { contains: ` ${s}` } }] });
    }
    if (q.email) and.push({ emails: { has: q.email } });
    if (q.tag) and.push({ tags: { has: q.tag } });
    if (q.stage) and.push({ stage: q.stage });
    if (q.owner !== undefined) and.push({ ownerId: q.owner === "me" ? me.id : q.owner });
    return { AND: and };
  }
}

/**
 * Prisma's startsWith/contains become LIKE patterns and do not escape them: `%` would match every
 * client and `_` any character. Backslash is PostgreSQL's default LIKE escape.
 */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function orderOf(sort: ClientListQuery["sort"]): Prisma.ClientOrderByWithRelationInput[] {
  const dir = sort.startsWith("-") ? "desc" : "asc";
  const key = sort.replace(/^-/, "");
  const column = key === "name" ? "nameLower" : (key as "createdAt" | "updatedAt");
  return [{ [column]: dir }, { id: dir }];
}

/** The plain columns of a create or update body (name, stage and phones are handled apart). */
function scalarFields(input: ClientChanges): Prisma.ClientUncheckedUpdateInput & Prisma.ClientUncheckedCreateInput {
  const out: Record<string, unknown> = {};
  const keys = [
    "kind", "company", "emails", "addressLine", "city", "region", "postalCode", "country",
    "ownerId", "tags", "leadSource", "vip", "notes",
  ] as const;
  for (const k of keys) if (input[k] !== undefined) out[k] = k === "tags" ? [...new Set(input.tags)] : input[k];
  return out as Prisma.ClientUncheckedUpdateInput & Prisma.ClientUncheckedCreateInput;
}
