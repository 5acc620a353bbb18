import { pick } from "./random.js";

const firstNames = [
  "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
  "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen",
  "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Sofia", "Ashley",
  "Paul", "Emily", "Steven", "Donna", "Andrew", "Michelle", "Kenji", "Carol", "Joshua", "Amanda",
  "Ahmed", "Olga", "Luis", "Ana", "Chen", "Fatima", "Noah", "Zoë", "Renée", "José",
];
const lastNames = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
  "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
  "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
  "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
  "O'Brien", "Müller", "Kowalski", "Tanaka", "Okafor", "Novak", "Costa", "Ivanova", "Schmidt", "Dubois",
];
const companyWords = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Wonka",
  "Cyberdyne", "Tyrell", "Massive", "Pied Piper", "Aperture", "Gringotts", "Monarch", "Oceanic", "Prestige", "Sterling"];
const companySuffix = ["Inc.", "LLC", "Logistics", "Dental", "Roofing", "Bakery", "Motors", "Insurance", "Realty", "Clinic"];
const cities: [string, string, string][] = [
  ["San Francisco", "CA", "415"], ["New York", "NY", "212"], ["Chicago", "IL", "312"], ["Austin", "TX", "512"],
  ["Seattle", "WA", "206"], ["Boston", "MA", "617"], ["Denver", "CO", "303"], ["Miami", "FL", "305"],
  ["Atlanta", "GA", "404"], ["Portland", "OR", "503"], ["Phoenix", "AZ", "602"], ["Detroit", "MI", "313"],
];
const streets = ["Main St", "Oak Ave", "Market St", "2nd St", "Park Blvd", "Elm St", "Sunset Dr", "Lake Rd", "Pine St", "Broadway"];
const tags = ["vip", "newsletter", "wholesale", "late-payer", "spanish", "b2b", "referral", "churn-risk", "support-plan", "trial"];
const leadSources = ["google-ads", "radio-spot", "website", "referral", "trade-show", "facebook", "billboard-i95", "partner"];
const stages = ["prospect", "active", "regular", "lost"] as const;
const notes = [
  "Prefers calls after 2 pm.", "Asked about the annual plan discount.", "Billing address changed last month.",
  "Complained about delivery delay; offered a credit.", "Interested in the premium tier.", "Call back on Monday about renewal.",
  "Speaks Spanish; route to a Spanish-speaking agent.", "Gatekeeper: ask for the office manager.",
];

export interface DemoClient {
  kind: "person" | "company";
  name: string;
  company: string | null;
  phones: { number: string; type: "mobile" | "work" | "home" }[];
  emails: string[];
  addressLine: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  stage: (typeof stages)[number];
  tags: string[];
  leadSource: string;
  vip: boolean;
  notes: string | null;
}

const ascii = (s: string) => s.normalize("NFD").replace(/[^\w]/g, "").toLowerCase();

/**
 * The i-th demo client. Its numbers are US numbers made unique by `i` (exchanges 200-999 × lines
 * 0100-0199, so unique for the first 26,000 clients whatever the area code).
 */
export function demoClient(i: number, rnd: () => number): DemoClient {
  const [city, region, area] = pick(rnd, cities);
  const isCompany = rnd() < 0.2;
  const first = pick(rnd, firstNames);
  const last = pick(rnd, lastNames);
  const company = isCompany ? `${pick(rnd, companyWords)} ${pick(rnd, companySuffix)}` : rnd() < 0.3 ? `${pick(rnd, companyWords)} ${pick(rnd, companySuffix)}` : null;
  const number = (k: number) => {
    const exchange = 200 + ((i * 3 + k) % 800);
    const line = 100 + Math.floor((i * 3 + k) / 800) % 100;
    return `+1${area}${exchange}0${line}`;
  };
  const phoneCount = rnd() < 0.25 ? 2 : 1;
  const phones = Array.from({ length: phoneCount }, (_, k) => ({
    number: number(k),
    type: (k === 0 ? (isCompany ? "work" : "mobile") : pick(rnd, ["home", "work"] as const)) as "mobile" | "work" | "home",
  }));
  const name = isCompany ? company! : `${first} ${last}`;
  const domain = isCompany ? `${ascii(company!.split(" ")[0]!)}.example` : "mail.example";
  return {
    kind: isCompany ? "company" : "person",
    name,
    company: isCompany ? null : company,
    phones,
    emails: rnd() < 0.8 ? [`${ascii(first)}.${ascii(last)}${i}@${domain}`] : [],
    addressLine: `${1 + Math.floor(rnd() * 9800)} ${pick(rnd, streets)}`,
    city,
    region,
    postalCode: String(10000 + Math.floor(rnd() * 89999)),
    country: "US",
    stage: pick(rnd, stages),
    tags: [...new Set(Array.from({ length: Math.floor(rnd() * 3) }, () => pick(rnd, tags)))],
    leadSource: pick(rnd, leadSources),
    vip: rnd() < 0.05,
    notes: rnd() < 0.3 ? pick(rnd, notes) : null,
  };
}

export const demoNotes = notes;
