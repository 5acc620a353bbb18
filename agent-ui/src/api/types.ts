// Shorthands for the generated API types (openapi.d.ts, from the server's OpenAPI document: run
// `npm run api:types` after changing a route's zod schema). Feature modules alias these instead of
// declaring the server's shapes a second time.
import type { components, paths } from "./openapi";

/** A named schema of the document (a zod schema with `.meta({ id })`), e.g. `Schema<"CallsReport">`. */
export type Schema<N extends keyof components["schemas"]> = components["schemas"][N];

type Method = "get" | "put" | "post" | "patch" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 202: infer A } ? A : never;

/** The JSON body of a route's success answer, e.g. `ApiAnswer<"/webhooks", "get">`. */
export type ApiAnswer<P extends keyof paths, M extends Method> = Success<Operation<P, M>["responses"]> extends { content: { "application/json": infer T } } ? T : never;

/** The JSON request body a route takes, e.g. `ApiBody<"/callbacks", "post">`. */
export type ApiBody<P extends keyof paths, M extends Method> = Operation<P, M> extends { requestBody: { content: { "application/json": infer T } } } ? T : never;

/** The query parameters a route takes (all optional on the wire unless the schema says otherwise). */
export type ApiQuery<P extends keyof paths, M extends Method> = NonNullable<Operation<P, M>["parameters"]["query"]>;
