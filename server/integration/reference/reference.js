/* global document, fetch, sessionStorage, URLSearchParams */
// The API reference: reads /api/openapi.json and lists every operation with its parameters,
// request and response schemas, and a form to call it with a bearer token (kept in this tab only).
const $ = (sel) => document.querySelector(sel);
const el = (tag, { dataset, ...props } = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  Object.assign(e.dataset, dataset ?? {});
  for (const c of children) e.append(c);
  return e;
};

const doc = await (await fetch("/api/openapi.json")).json();
const tokenInput = $("#token");
tokenInput.value = sessionStorage.getItem("api-reference-token") ?? "";
tokenInput.addEventListener("change", () => sessionStorage.setItem("api-reference-token", tokenInput.value));

const resolve = (s) => (s && s.$ref ? doc.components.schemas[s.$ref.split("/").pop()] : s);
const schemaText = (s) => JSON.stringify(resolve(s), null, 2);

$("#about").textContent = `${doc.info.title} ${doc.info.version} · OpenAPI ${doc.openapi} · ${Object.keys(doc.paths).length} paths. ${doc.info.description}`;

function operation(path, method, op) {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.["application/json"]?.schema;
  const inputs = new Map();
  const paramRows = params.map((p) => {
    const input = el("input", { placeholder: p.in === "path" ? "required" : "" });
    inputs.set(p, input);
    return el("tr", {}, el("td", {}, el("code", { textContent: p.name })), el("td", { className: "muted", textContent: `${p.in}${p.required ? ", required" : ""}` }), el("td", {}, input), el("td", { className: "muted", textContent: p.description ?? "" }));
  });
  const bodyInput = body ? el("textarea", { rows: 6, placeholder: "JSON body" }) : null;
  const out = el("pre", { textContent: "" });
  const send = el("button", { type: "button", textContent: "Send" });
  send.addEventListener("click", async () => {
    let url = path;
    const query = new URLSearchParams();
    for (const [p, input] of inputs) {
      if (!input.value) continue;
      if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(input.value));
      else if (p.in === "query") query.set(p.name, input.value);
    }
    const headers = { accept: "application/json" };
    if (tokenInput.value) headers.authorization = `Bearer ${tokenInput.value.trim()}`;
    if (bodyInput?.value) headers["content-type"] = "application/json";
    out.textContent = "…";
    const res = await fetch(`/api${url}${query.size ? `?${query}` : ""}`, { method: method.toUpperCase(), headers, body: bodyInput?.value || undefined });
    const text = await res.text();
    let shown = text;
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      /* not JSON: shown as is */
    }
    out.textContent = `${res.status} ${res.statusText}\n\n${shown.slice(0, 20000)}`;
  });
  const responses = Object.entries(op.responses ?? {}).map(([status, r]) => {
    const schema = r.content && Object.values(r.content)[0]?.schema;
    return el("div", {}, el("div", { className: "muted", textContent: `${status}: ${r.description ?? ""}` }), ...(schema && status < "300" ? [el("pre", { textContent: schemaText(schema) })] : []));
  });
  const isStream = path === "/stream";
  return el(
    "details",
    { className: "op", dataset: { search: `${method} ${path} ${op.summary} ${(op.tags ?? []).join(" ")}`.toLowerCase() } },
    el("summary", {}, el("span", { className: `method ${method}`, textContent: method.toUpperCase() }), el("span", { className: "path", textContent: `/api${path}` }), el("span", { className: "summary", textContent: op.summary ?? "" })),
    el(
      "div",
      { className: "body" },
      el("p", { className: "muted", textContent: op.description ?? "" }),
      ...(paramRows.length ? [el("table", {}, ...paramRows)] : []),
      ...(body ? [el("div", { className: "muted", textContent: "Request body (application/json)" }), el("pre", { textContent: schemaText(body) })] : []),
      ...responses,
      ...(isStream ? [] : [el("div", { className: "try" }, ...(bodyInput ? [bodyInput] : []), send, out)]),
    ),
  );
}

const byTag = new Map();
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const tag = op.tags?.[0] ?? "other";
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push(operation(path, method, op));
  }
}
const ops = $("#ops");
for (const [tag, items] of byTag) ops.append(el("section", { dataset: { tag } }, el("h2", { textContent: tag }), ...items));

$("#filter").addEventListener("input", (e) => {
  const words = e.target.value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const d of ops.querySelectorAll("details.op")) d.hidden = !words.every((w) => d.dataset.search.includes(w));
  for (const s of ops.querySelectorAll("section")) s.hidden = [...s.querySelectorAll("details.op")].every((d) => d.hidden);
});
