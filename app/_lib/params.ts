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
