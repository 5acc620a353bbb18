// The client form's model: converting a client to editable rows, rows to a request body, and a
// server validation error to the field it names.
import { formatPhone } from "../lib/format";
import type { Client, ClientKind, PhoneType, Stage } from "../lib/types";

export interface PhoneRow {
  key: number;
  number: string;
  type: PhoneType;
  isPrimary: boolean;
}

export interface EmailRow {
  key: number;
  value: string;
}

export interface ClientFormModel {
  name: string;
  kind: ClientKind;
  company: string;
  phones: PhoneRow[];
  emails: EmailRow[];
  addressLine: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  stage: Stage;
  tags: string[];
  leadSource: string;
  vip: boolean;
  notes: string;
  ownerId: number | null;
}

let key = 0;
export const newKey = (): number => key++;

export function emptyModel(ownerId: number | null): ClientFormModel {
  return {
    name: "",
    kind: "person",
    company: "",
    phones: [{ key: key++, number: "", type: "mobile", isPrimary: true }],
    emails: [{ key: key++, value: "" }],
    addressLine: "",
    city: "",
    region: "",
    postalCode: "",
    country: "",
    stage: "prospect",
    tags: [],
    leadSource: "",
    vip: false,
    notes: "",
    ownerId,
  };
}

export function modelFromClient(c: Client): ClientFormModel {
  return {
    name: c.name,
    kind: c.kind,
    company: c.company ?? "",
    phones: c.phones
      .filter((p) => p.contactId == null)
      .map((p) => ({ key: key++, number: formatPhone(p.number), type: p.type, isPrimary: p.isPrimary })),
    emails: c.emails.length ? c.emails.map((value) => ({ key: key++, value })) : [{ key: key++, value: "" }],
    addressLine: c.addressLine ?? "",
    city: c.city ?? "",
    region: c.region ?? "",
    postalCode: c.postalCode ?? "",
    country: c.country ?? "",
    stage: c.stage,
    tags: [...c.tags],
    leadSource: c.leadSource ?? "",
    vip: c.vip,
    notes: c.notes ?? "",
    ownerId: c.owner?.id ?? null,
  };
}

const orNull = (s: string): string | null => (s.trim() ? s.trim() : null);

/**
 * The request body. Blank phone and email rows are dropped, but the indexes the server names in
 * errors ("phones.2.number") must point at the rows on screen, so `phoneIndex` maps them back.
 */
export function bodyFromModel(m: ClientFormModel) {
  const phoneIndex: number[] = [];
  const phones = m.phones.flatMap((p, i) => {
    if (!p.number.trim()) return [];
    phoneIndex.push(i);
    return [{ number: p.number.trim(), type: p.type, isPrimary: p.isPrimary }];
  });
  if (phones.length > 0 && !phones.some((p) => p.isPrimary)) phones[0].isPrimary = true;
  const emailIndex: number[] = [];
  const emails = m.emails.flatMap((e, i) => {
    if (!e.value.trim()) return [];
    emailIndex.push(i);
    return [e.value.trim()];
  });
  const body = {
    name: m.name.trim(),
    kind: m.kind,
    company: orNull(m.company),
    phones,
    emails,
    addressLine: orNull(m.addressLine),
    city: orNull(m.city),
    region: orNull(m.region),
    postalCode: orNull(m.postalCode),
    country: orNull(m.country),
    stage: m.stage,
    tags: m.tags,
    leadSource: orNull(m.leadSource),
    vip: m.vip,
    notes: orNull(m.notes),
    ownerId: m.ownerId,
  };
  return { body, phoneIndex, emailIndex };
}

export interface FormErrors {
  fields: Record<string, string>;
  phones: Record<number, string>;
  emails: Record<number, string>;
}

export const noErrors = (): FormErrors => ({ fields: {}, phones: {}, emails: {} });

const KNOWN = new Set([
  "name",
  "kind",
  "company",
  "addressLine",
  "city",
  "region",
  "postalCode",
  "country",
  "stage",
  "tags",
  "leadSource",
  "vip",
  "notes",
  "ownerId",
]);

/** Places a server error next to its field; returns false when no field on screen matches. */
export function placeError(
  errors: FormErrors,
  field: string,
  message: string,
  phoneIndex: number[],
  emailIndex: number[],
): boolean {
  const [head, index] = field.split(".");
  if (head === "phones") {
    const row = index !== undefined ? phoneIndex[Number(index)] : undefined;
    if (row !== undefined) errors.phones[row] = message;
    else errors.fields.phones = message;
    return true;
  }
  if (head === "emails") {
    const row = index !== undefined ? emailIndex[Number(index)] : undefined;
    if (row !== undefined) errors.emails[row] = message;
    else errors.fields.emails = message;
    return true;
  }
  if (head && KNOWN.has(head)) {
    errors.fields[head] = message;
    return true;
  }
  return false;
}
