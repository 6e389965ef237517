import { z } from 'zod';

export const signInSchema = z.strictObject({ token: z.string().min(1, 'Paste the access token').max(512) });
export type SignInInput = z.infer<typeof signInSchema>;
