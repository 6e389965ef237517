import { z } from 'zod';

const idParam = z
  .string()
  .regex(/^[1-9]\d{0,14}$/)
  .transform(Number);

/** A positive integer id from a route segment; undefined for anything else (the page 404s). */
export function parseIdParam(value: string): number | undefined {
  const parsed = idParam.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A `?before=` keyset cursor; undefined when absent or not an id (the first page). */
export function pageBefore(value: string | string[] | undefined): number | undefined {
  return typeof value === 'string' ? parseIdParam(value) : undefined;
}
