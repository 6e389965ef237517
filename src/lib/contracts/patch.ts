import type { z } from 'zod';

/** A PATCH body: any of the create body's fields, and at least one. */
export function patchOf<Shape extends z.ZodRawShape>(create: z.ZodObject<Shape, z.core.$strict>) {
  return create.partial().refine((value) => Object.keys(value).length > 0, 'At least one field to change');
}
