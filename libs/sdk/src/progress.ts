import type { ActionView } from './types';

/** "9 min left", "45 s left", "expired": the time until `expiresAt`, for people. */
export function timeLeft(expiresAt: string, now: Date = new Date()): string {
  const ms = Date.parse(expiresAt) - now.getTime();
  if (!Number.isFinite(ms)) return '';
  if (ms <= 0) return 'expired';
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} s left`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min left`;
  return `${Math.round(ms / 3_600_000)} h left`;
}

/**
 * Where an action stands, in one line for whoever waits on it: "waiting for one approver from
 * data-owners, 9 min left", "approved", "denied: exports of PII need a ticket".
 */
export function describeProgress(view: ActionView, now: Date = new Date()): string {
  switch (view.status) {
    case 'PENDING_POLICY':
      return 'waiting for the policy decision';
    case 'AWAITING_APPROVAL': {
      const steps = view.approval?.steps ?? [];
      const given = (view.approval?.votes ?? []).filter((vote) => vote.decision === 'APPROVE').length;
      const needed = steps.map((step) => `${count(step.minApprovals)} from ${step.group}`).join(' and ');
      const left = view.approval?.expiresAt ? `, ${timeLeft(view.approval.expiresAt, now)}` : '';
      const so = given > 0 ? ` (${given} approval${given === 1 ? '' : 's'} so far)` : '';
      return `waiting for ${needed || 'approval'}${so}${left}`;
    }
    case 'APPROVED':
      return 'approved';
    case 'DENIED':
      return `denied${view.reason ? `: ${view.reason}` : ''}`;
    case 'EXPIRED':
      return 'expired: nobody decided in time';
    case 'CANCELLED':
      return 'cancelled';
    default:
      return view.status.toLowerCase();
  }
}

function count(n: number): string {
  const words = ['no', 'one', 'two', 'three', 'four', 'five'];
  return `${words[n] ?? n} approver${n === 1 ? '' : 's'}`;
}
