import type { NextFunction, Request, RequestHandler, Response } from "express";

/** Express 5 forwards rejected promises itself; this only gives handlers one typed shape. */
export type Handler = (req: Request, res: Response, next: NextFunction) => Promise<unknown> | unknown;
export const route = (h: Handler): RequestHandler => (req, res, next) => h(req, res, next);
