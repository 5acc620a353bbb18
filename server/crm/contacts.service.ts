import type { Database } from "../platform/db/database.js";
import { notFound } from "../platform/errors.js";
import type { ClientsService } from "./clients.service.js";
import type { ContactInput } from "./clients.schemas.js";
import { normalizePhoneList } from "./phone-input.js";
import { assertKeepsNumbers } from "./phone-removal.js";
import type { PublicUser } from "../auth/users.service.js";

/** People at a company client, each with numbers of their own that caller lookup also finds. */
export class ContactsService {
  constructor(
    private readonly db: Database,
    private readonly clients: ClientsService,
    private readonly defaultCountry: string,
  ) {}

  async create(clientId: number, input: ContactInput) {
    await this.clients.assertClient(clientId);
    const phones = normalizePhoneList(input.phones ?? [], this.defaultCountry);
    const contact = await this.db.prisma.contact.create({
      data: {
        clientId,
        name: input.name,
        title: input.title ?? null,
        email: input.email ?? null,
        phones: { create: phones.map((p) => ({ ...p, clientId })) },
      },
      include: { phones: true },
    });
    await this.clients.changed(clientId);
    return contact;
  }

  async update(id: number, input: Partial<ContactInput>, user: PublicUser) {
    const before = await this.db.prisma.contact.findFirst({ where: { id, deletedAt: null } });
    if (!before) throw notFound(`contact ${id}`);
    const current = async () => (await this.db.prisma.phone.findMany({ where: { contactId: id }, select: { number: true } })).map((p) => p.number);
    await assertKeepsNumbers(user, current, input.phones, this.defaultCountry);
    const phones = input.phones ? normalizePhoneList(input.phones, this.defaultCountry) : null;
    const contact = await this.db.prisma.$transaction(async (tx) => {
      if (phones) {
        await tx.phone.deleteMany({ where: { contactId: id } });
        await tx.phone.createMany({ data: phones.map((p) => ({ ...p, clientId: before.clientId, contactId: id })) });
      }
      return tx.contact.update({
        where: { id },
        data: {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.email !== undefined ? { email: input.email } : {}),
        },
        include: { phones: true },
      });
    });
    await this.clients.changed(before.clientId);
    return contact;
  }

  /** A removed contact's numbers stop matching callers; the contact row stays for history. */
  async remove(id: number): Promise<void> {
    const before = await this.db.prisma.contact.findFirst({ where: { id, deletedAt: null } });
    if (!before) throw notFound(`contact ${id}`);
    await this.db.prisma.$transaction([
      this.db.prisma.phone.deleteMany({ where: { contactId: id } }),
      this.db.prisma.contact.update({ where: { id }, data: { deletedAt: new Date() } }),
    ]);
    await this.clients.changed(before.clientId);
  }
}
