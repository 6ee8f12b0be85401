import type { PendingApproval } from '@approvals/application';
import { canonicalJson } from '@approvals/application';
import type { ActionSummary__Output } from '@approvals/contracts';
import type { ExistingActionState } from '@approvals/domain';

/**
 * The console's pages: plain server-rendered HTML, one small stylesheet, no script, so they load
 * at once, work with a keyboard and a screen reader, and read on a phone. Every value that comes
 * from a request or the ledger goes through `esc`.
 */

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const style = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.45}
body{margin:0 auto;max-width:60rem;padding:1rem}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between;border-bottom:1px solid #8886;margin-bottom:1rem}
h1{font-size:1.35rem;margin:.5rem 0}h2{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #8884;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
.banner{padding:.6rem .8rem;border-radius:.4rem;margin:.75rem 0;border:1px solid}
.warn{background:#fff3cd;color:#5c4400;border-color:#e0b400}.ok{background:#e6f4ea;color:#174d27;border-color:#5cb85c}.err{background:#fdecea;color:#611a15;border-color:#e57373}
button{font:inherit;padding:.5rem 1rem;border-radius:.4rem;border:1px solid #8888;cursor:pointer}
.approve{background:#1e7b34;color:#fff}.deny{background:#b3261e;color:#fff}
textarea,select{font:inherit;width:100%;max-width:40rem;box-sizing:border-box}
code{overflow-wrap:anywhere}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:40rem){dl{grid-template-columns:1fr}th:nth-child(n+4),td:nth-child(n+4){display:none}}
`;

export function layout(title: string, body: string, who?: { humanId: string; csrf: string }): string {
  const account = who
    ? `<form method="post" action="/console/sign-out"><input type="hidden" name="csrf" value="${esc(who.csrf)}"><span>Signed in as <strong>${esc(who.humanId)}</strong></span> <button type="submit">Sign out</button></form>`
    : '';
  const nav = who ? '<nav aria-label="Console"><a href="/console">Waiting for me</a> · <a href="/console/history">My decisions</a> · <a href="/console/audit">Audit</a></nav>' : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Approvals</title><style>${style}</style></head>
<body><header><p><a href="/console">Approvals console</a></p>${nav}${account}</header><main>${body}</main></body></html>`;
}

export function signInPage(humans: { id: string; name: string }[], devSignIn: boolean, error?: string): string {
  if (!devSignIn) {
    return layout('Sign in', `<h1>Sign in</h1><p class="banner err" role="alert">Sign-in with your organisation's OpenID Connect provider is not configured on this server.</p>`);
  }
  const options = humans.map((human) => `<option value="${esc(human.id)}">${esc(human.name)} (${esc(human.id)})</option>`).join('');
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p class="banner warn" role="note"><strong>Development sign-in.</strong> Anyone can pick any person of the demo directory: this exists for the embedded demo only and is never available where real credentials are required.</p>
${error ? `<p class="banner err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/console/sign-in"><label for="human">Sign in as</label><br><select id="human" name="human" required>${options}</select>
<p><button type="submit">Sign in</button></p></form>`,
  );
}

export function inboxPage(who: { humanId: string; csrf: string }, items: PendingApproval[]): string {
  const rows = items
    .map(
      (item) => `<tr><td><a href="/console/actions/${esc(item.actionId)}">${esc(item.kind === 'BREAK_GLASS_REVIEW' ? 'Review break-glass' : item.action)}</a></td>
<td>${esc(item.agentId)}${item.onBehalfOf ? ` for ${esc(item.onBehalfOf)}` : ''}</td><td>${esc(`${item.resource.kind}:${item.resource.id}`)} (${esc(item.environment)})</td>
<td>${esc(item.steps.map((s) => `${s.minApprovals} of ${s.group}`).join(' and '))}</td><td><time datetime="${esc(item.expiresAt)}">${esc(item.expiresAt)}</time></td></tr>`,
    )
    .join('');
  const table = items.length
    ? `<table><caption class="sr-only">Requests waiting for you</caption><thead><tr><th scope="col">Action</th><th scope="col">Agent</th><th scope="col">Resource</th><th scope="col">Needs</th><th scope="col">Due</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>Nothing is waiting for you.</p>';
  return layout('Waiting for me', `<h1>Waiting for me</h1>${table}`, who);
}

export function actionPage(
  who: { humanId: string; csrf: string },
  state: ExistingActionState,
  timeline: { at: string; type: string; actor: string; summary: string }[],
  canVote: boolean,
  message?: { ok: boolean; text: string },
): string {
  const request = state.request;
  const evaluation = state.evaluation;
  const requirement = state.status === 'awaiting_approval' || state.status === 'final' ? state.requirement : undefined;
  const outcome = state.status === 'final' ? `${state.outcome}: ${state.reason}` : state.status === 'awaiting_approval' ? `Waiting for approval until ${state.expiresAt}` : 'Waiting for the policy';
  const facts: [string, string][] = [
    ['Status', outcome],
    ['Agent', `${request.agentId} (${request.model})`],
    ['On behalf of', request.onBehalfOf ?? '—'],
    ['Action', request.action],
    ['Resource', `${request.resource.kind}:${request.resource.id}`],
    ['Environment', request.environment],
    ['Classification', request.dataClassification ?? '—'],
    ['Justification', request.justification],
    // The canonical text the request hash below covers, and a grant binds (I5).
    ['Parameters', canonicalJson(request.parameters)],
    ['Request hash', state.requestHash],
    ['Needs', requirement ? requirement.steps.map((s) => `${s.minApprovals} of ${s.group}`).join(' and ') : '—'],
    ['Votes', state.votes.map((v) => `${v.approverId} ${v.decision === 'APPROVE' ? 'approved' : 'denied'} via ${v.channel}`).join('; ') || 'none yet'],
  ];
  const explanation = evaluation
    ? `<h2>Why the policy asked</h2><dl><dt>Outcome</dt><dd>${esc(evaluation.outcome)}</dd><dt>Policies</dt><dd>${esc(evaluation.determiningPolicies.join(', ') || 'none')}</dd>
<dt>Reasons</dt><dd>${esc(evaluation.reasons.join('; ') || '—')}</dd><dt>Policy version</dt><dd><code>${esc(evaluation.policyVersion)}</code></dd></dl>`
    : '';
  const form = canVote
    ? `<h2>Your decision</h2><form method="post" action="/console/actions/${esc(state.actionId)}/vote">
<input type="hidden" name="csrf" value="${esc(who.csrf)}"><label for="comment">Comment (required to deny)</label><br><textarea id="comment" name="comment" rows="3" maxlength="2000"></textarea>
<p><button class="approve" type="submit" name="decision" value="APPROVE">Approve</button> <button class="deny" type="submit" name="decision" value="DENY">Deny</button></p></form>`
    : '';
  const events = timeline
    .map((entry) => `<tr><td><time datetime="${esc(entry.at)}">${esc(entry.at)}</time></td><td>${esc(entry.type)}</td><td>${esc(entry.actor)}</td><td>${esc(entry.summary)}</td></tr>`)
    .join('');
  return layout(
    `${request.action} by ${request.agentId}`,
    `<h1>${esc(request.action)} on ${esc(`${request.resource.kind}:${request.resource.id}`)}</h1>
${message ? `<p class="banner ${message.ok ? 'ok' : 'err'}" role="status">${esc(message.text)}</p>` : ''}
<dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
${form}${explanation}
<h2>Timeline</h2><table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">By</th><th scope="col">What</th></tr></thead><tbody>${events}</tbody></table>`,
    who,
  );
}

export function messagePage(title: string, text: string, who?: { humanId: string; csrf: string }): string {
  return layout(title, `<h1>${esc(title)}</h1><p class="banner err" role="alert">${esc(text)}</p><p><a href="/console">Back to the console</a></p>`, who);
}

const statuses = ['', 'PENDING_POLICY', 'AWAITING_APPROVAL', 'APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED'];

/** A table of actions from the audit read model, each linking to its page and timeline. */
function actionsTable(items: ActionSummary__Output[], empty: string): string {
  if (items.length === 0) return `<p>${esc(empty)}</p>`;
  const rows = items
    .map(
      (item) => `<tr><td><a href="/console/actions/${esc(item.actionId)}">${esc(item.action)}</a></td><td>${esc(item.agentId)}</td>
<td>${esc(item.status)}</td><td>${esc(item.resource ? `${item.resource.kind}:${item.resource.id}` : '')} (${esc(item.environment)})</td><td><time datetime="${esc(item.decidedAt || item.requestedAt)}">${esc(item.decidedAt || item.requestedAt)}</time></td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th scope="col">Action</th><th scope="col">Agent</th><th scope="col">Status</th><th scope="col">Resource</th><th scope="col">When</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function historyPage(who: { humanId: string; csrf: string }, items: ActionSummary__Output[]): string {
  return layout('My decisions', `<h1>My decisions</h1><p>The actions you voted on, newest first.</p>${actionsTable(items, 'You have not decided anything yet.')}`, who);
}

export function auditPage(who: { humanId: string; csrf: string }, filters: { agent: string; status: string; action: string }, items: ActionSummary__Output[], error?: string): string {
  const options = statuses.map((status) => `<option value="${esc(status)}"${status === filters.status ? ' selected' : ''}>${esc(status || 'any')}</option>`).join('');
  return layout(
    'Audit',
    `<h1>Audit</h1>
<form method="get" action="/console/audit"><p><label for="agent">Agent</label> <input id="agent" name="agent" value="${esc(filters.agent)}" maxlength="200">
<label for="action">Action</label> <input id="action" name="action" value="${esc(filters.action)}" maxlength="100">
<label for="status">Status</label> <select id="status" name="status">${options}</select> <button type="submit">Search</button></p></form>
${error ? `<p class="banner err" role="alert">${esc(error)}</p>` : ''}${actionsTable(items, 'No action matches.')}
<p>Each action's page shows its whole timeline from the ledger.</p>`,
    who,
  );
}
