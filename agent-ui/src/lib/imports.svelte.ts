// The user's current CSV import: started here, followed by Socket.IO `import:progress` pushes, and
// re-read from the server after a reconnect or a page reload (its id is kept in sessionStorage).
import { api } from "./api";
import { onImportProgress, onRealtimeConnect } from "./realtime";
import type { ImportJob } from "./types";

const KEY = "crm.import";

export const importState = $state<{ job: ImportJob | null; file: File | null }>({ job: null, file: null });

export const isFinished = (job: ImportJob | null): boolean => job?.status === "done" || job?.status === "failed";

/** Uploads the file; the server answers 202 with the queued import and works in the background. */
export async function startImport(file: File, opts: { dryRun: boolean; encoding: string }): Promise<void> {
  const job = await api.upload<ImportJob>("/api/clients/import", file, "text/csv", {
    dryRun: opts.dryRun ? 1 : undefined,
    encoding: opts.encoding === "utf-8" ? undefined : opts.encoding,
  });
  importState.file = file;
  show(job);
  // A small file can be done before this answer arrives, its pushes ignored as not yet ours.
  await refreshImport();
}

/** Reads the import again (its row errors come with the GET, not with the pushes). */
export async function refreshImport(): Promise<void> {
  const id = importState.job?.id ?? storedId();
  if (!id) return;
  try {
    show(await api.get<ImportJob>(`/api/clients/import/${id}`));
  } catch {
    forgetImport();
  }
}

export function forgetImport(): void {
  clearInterval(poll);
  importState.job = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing kept, nothing to forget.
  }
}

let poll: ReturnType<typeof setInterval> | undefined;

function show(job: ImportJob): void {
  const errors = job.errors ?? (importState.job?.id === job.id ? importState.job.errors : undefined);
  importState.job = { ...job, ...(errors ? { errors } : {}) };
  // Pushes carry the progress; a slow poll covers a socket that is down meanwhile.
  clearInterval(poll);
  if (!isFinished(job)) poll = setInterval(() => void refreshImport(), 5000);
  try {
    sessionStorage.setItem(KEY, String(job.id));
  } catch {
    // The import still shows until the page is reloaded.
  }
}

function storedId(): number | null {
  try {
    const v = Number(sessionStorage.getItem(KEY));
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

onImportProgress((job) => {
  if (importState.job?.id !== job.id) return;
  show(job);
  // The final push carries counts only; the report's row errors come with one GET.
  if (isFinished(job)) void refreshImport();
});
onRealtimeConnect(() => {
  if (importState.job ? !isFinished(importState.job) : storedId() !== null) void refreshImport();
});
