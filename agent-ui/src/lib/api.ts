// Fetch wrapper for the CRM's JSON API: adds the bearer token, turns {"error":{...}} answers into
// a thrown ApiError, and sends the user back to the login screen when the session has ended.

const TOKEN_KEY = "crm.token";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be unavailable (private mode quotas); the session then lasts one page load.
  }
}

let onUnauthorized: () => void = () => {};

/** Registers what to do when an authenticated call answers 401 (the session module logs out). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes("?") ? "&" : "?"}${qs}` : path;
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A file sent as the request body itself, with its content type (CSV import). */
  file?: { blob: Blob; type: string };
  /** Do not treat a 401 as "session ended" (the login form shows it instead). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = getToken();
  if (token && !opts.anonymous) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (opts.file) {
    headers["Content-Type"] = opts.file.type;
    body = opts.file.blob;
  } else if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }

  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { method, headers, body, signal: opts.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK", "Cannot reach the server. Check your connection and try again.");
  }

  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
    const error = new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? (res.statusText || `Request failed (${res.status})`),
      e?.field,
    );
    if (res.status === 401 && !opts.anonymous) onUnauthorized();
    throw error;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>("GET", path, { query, signal }),
  post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, "body"> = {}) =>
    request<T>("POST", path, { ...opts, body }),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, { body }),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, { body }),
  del: (path: string) => request<void>("DELETE", path),
  /** POSTs a file as the raw body (e.g. `text/csv` for the client import). */
  upload: <T>(path: string, blob: Blob, type: string, query?: Query) => request<T>("POST", path, { query, file: { blob, type } }),
};

/** A short human sentence for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return "You do not have permission to do that.";
    if (err.status === 429) return err.message || "Too many attempts. Please wait a few minutes and try again.";
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return "Something went wrong.";
}
