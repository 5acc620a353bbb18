import type { RequestHandler } from "express";
import { AppError } from "../errors.js";

/**
 * A path whose %-escapes do not decode (`/%E0`, `/%`) is a 400 naming `path`, for every route:
 * not a console page, not Express's HTML error, not a 500 from a parameter decoder.
 */
export function rejectMalformedPath(): RequestHandler {
  return (req, _res, next) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      throw new AppError("VALIDATION", "path: malformed %-encoding in the URL", "path");
    }
    next();
  };
}
