import { type ApprovalDto, type ApprovalStatus, decideApprovalSchema } from '../contracts/approvals';
import type { ServerFrame } from '../websocket/protocol';

/**
 * What the console knows of approvals: every one it has seen (the topic's pending ones, answers
 * and expiries as they happen, and what the page was rendered with), newest first, and the
 * server's pending count (null until the socket has said).
 */
export interface ApprovalsState {
  items: ApprovalDto[];
  pending: number | null;
}

const newestFirst = (a: ApprovalDto, b: ApprovalDto) => b.id - a.id;

export function initApprovals(initial: readonly ApprovalDto[]): ApprovalsState {
  return { items: [...initial].sort(newestFirst), pending: null };
}

function upsert(items: readonly ApprovalDto[], approval: ApprovalDto): ApprovalDto[] {
  return [approval, ...items.filter((item) => item.id !== approval.id)].sort(newestFirst);
}

/** The approvals topic's frames: `subscribed` is the pending set as it is now, `approval.updated` one change. */
export function applyApprovalFrame(state: ApprovalsState, frame: ServerFrame): ApprovalsState {
  if (frame.type === 'subscribed' && frame.topic === 'approvals') {
    const pendingIds = new Set(frame.items.map((item) => item.id));
    // A pending one the snapshot lacks was answered while the socket was away: it is no longer
    // pending, but what it became is unknown here, so it is dropped rather than shown stale.
    const settled = state.items.filter((item) => item.status !== 'pending' && !pendingIds.has(item.id));
    return { items: [...settled, ...frame.items].sort(newestFirst), pending: frame.counts.pending };
  }
  if (frame.type === 'approval.updated')
    return { items: upsert(state.items, frame.approval), pending: frame.counts.pending };
  return state;
}

export const isPending = (approval: ApprovalDto) => approval.status === 'pending';

export const APPROVAL_STATUS_WORDS: Record<ApprovalStatus, string> = {
  pending: 'waiting',
  allowed: 'approved',
  denied: 'denied',
  expired: 'expired',
  cancelled: 'dropped',
};

/** One file a call would change: its text before and after (a new file is empty before). */
export interface FileEdit {
  path: string;
  before: string;
  after: string;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The file changes an Edit, MultiEdit or Write call asks for, to show as a diff; null for any
 * other tool (or an input not shaped like Claude Code's).
 */
export function fileEditsOf(toolName: string, input: Record<string, unknown>): FileEdit[] | null {
  const path = text(input.file_path);
  if (path === null) return null;
  if (toolName === 'Write') {
    const content = text(input.content);
    return content === null ? null : [{ path, before: '', after: content }];
  }
  if (toolName === 'Edit') {
    const before = text(input.old_string);
    const after = text(input.new_string);
    return before === null || after === null ? null : [{ path, before, after }];
  }
  if (toolName === 'MultiEdit' && Array.isArray(input.edits)) {
    const edits: FileEdit[] = [];
    for (const edit of input.edits as Record<string, unknown>[]) {
      const before = text(edit?.old_string);
      const after = text(edit?.new_string);
      if (before === null || after === null) return null;
      edits.push({ path, before, after });
    }
    return edits;
  }
  return null;
}

/** "Edit and approve": the edited JSON as the answer's `updatedInput`, or what is wrong with it. */
export function parseEditedInput(
  source: string,
): { ok: true; input: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    return {
      ok: false,
      message: `Not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'The input must be a JSON object: { "name": value, … }' };
  const parsed = decideApprovalSchema.safeParse({ decision: 'allow', updatedInput: value });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: issue?.message === undefined ? 'Not an input' : `Input: ${issue.message}` };
  }
  return { ok: true, input: parsed.data.updatedInput ?? {} };
}
