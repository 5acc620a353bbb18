import type { Prisma } from "../generated/prisma/client.js";
import type { ClientDto, PhoneDto } from "./clients.schemas.js";

export type { ClientDto };

/** What a client looks like on the wire (docs/api.md; the schema is clients.schemas.ts clientDto). */
export const clientInclude = {
  owner: { select: { id: true, displayName: true } },
  phones: { orderBy: [{ isPrimary: "desc" }, { id: "asc" }] },
  contacts: {
    where: { deletedAt: null },
    orderBy: { id: "asc" },
    include: { phones: { orderBy: [{ isPrimary: "desc" }, { id: "asc" }] } },
  },
} satisfies Prisma.ClientInclude;

export type ClientWithRelations = Prisma.ClientGetPayload<{ include: typeof clientInclude }>;

type PhoneRow = ClientWithRelations["phones"][number];

const phoneDto = (p: PhoneRow): PhoneDto => ({
  id: p.id,
  number: p.number,
  raw: p.raw,
  type: p.type,
  isPrimary: p.isPrimary,
  contactId: p.contactId,
});

export function toClientDto(c: ClientWithRelations): ClientDto {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    company: c.company,
    emails: c.emails,
    addressLine: c.addressLine,
    city: c.city,
    region: c.region,
    postalCode: c.postalCode,
    country: c.country,
    owner: c.owner,
    stage: c.stage,
    tags: c.tags,
    leadSource: c.leadSource,
    vip: c.vip,
    notes: c.notes,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    // Contact numbers are listed under their contact, not twice.
    phones: c.phones.filter((p) => p.contactId === null).map(phoneDto),
    contacts: c.contacts.map((k) => ({
      id: k.id,
      name: k.name,
      title: k.title,
      email: k.email,
      phones: k.phones.map(phoneDto),
    })),
  };
}
