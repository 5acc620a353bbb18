// The clients list's search and filters, kept while the user opens cards and comes back.
import type { Stage } from "./types";

export type ClientSort = "name" | "-name" | "createdAt" | "-createdAt" | "updatedAt" | "-updatedAt";

export const SORTS: { value: ClientSort; label: string }[] = [
  { value: "name", label: "Name A–Z" },
  { value: "-name", label: "Name Z–A" },
  { value: "-updatedAt", label: "Recently updated" },
  { value: "updatedAt", label: "Least recently updated" },
  { value: "-createdAt", label: "Newest first" },
  { value: "createdAt", label: "Oldest first" },
];

export const clientFilters = $state<{ text: string; stage: Stage | ""; tag: string; sort: ClientSort; mine: boolean }>({
  text: "",
  stage: "",
  tag: "",
  sort: "name",
  mine: false,
});
