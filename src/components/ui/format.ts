/** The formatters live in src/lib/format.ts, shared with the server's notification messages. */
export * from '@/lib/format';
