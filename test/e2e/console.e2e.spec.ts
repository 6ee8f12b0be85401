import type { ApprovalsClient } from '@approvals/client';
import { unary } from '@approvals/client';
import type { TestSystem } from '@approvals/testing';
import { modes, startSystem } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually } from './support';

jest.setTimeout(60_000);

// The web console over HTTP, as a browser drives it (forms, cookies, redirects), in both modes,
// with the embedded demo's development sign-in.
describe.each(modes)('%s mode: web console', (mode) => {
  let server: TestSystem;
  let agent: ApprovalsClient;

  beforeAll(async () => {
    server = await startSystem(mode);
    agent = clientAs(server.addresses, 'agent-reporting');
  });

  afterAll(async () => {
    agent?.close();
    await server?.dispose();
  });

  const url = (path: string) => `${server.notifierHttpUrl}${path}`;
  const form = (fields: Record<string, string>) => ({ 'content-type': 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() });

  async function signIn(human: string): Promise<string> {
    const { body, ...headers } = form({ human });
    const response = await fetch(url('/console/sign-in'), { method: 'POST', headers, body, redirect: 'manual' });
    expect(response.status).toBe(303);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    return cookie.split(';')[0]!;
  }
  const page = async (path: string, cookie: string) => {
    const response = await fetch(url(path), { headers: { cookie }, redirect: 'manual' });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  it('signs in (clearly labelled development sign-in), lists what waits for me, and approves from the request page', async () => {
    const signInPage = await fetch(url('/console/sign-in'));
    const signInHtml = await signInPage.text();
    expect(signInHtml).toContain('Development sign-in');
    expect(signInPage.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await fetch(url('/console'), { redirect: 'manual' })).status).toBe(303);

    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}', justification: 'quarterly <b>numbers</b>' }));
    await awaitOutcome(agent, created.actionId, 200);
    const alice = await signIn('alice');
    const inbox = await eventually(() => page('/console', alice), (p) => p.text.includes(created.actionId));
    expect(inbox.text).toContain('Waiting for me');

    const request = await page(`/console/actions/${created.actionId}`, alice);
    expect(request.status).toBe(200);
    for (const expected of ['agent-reporting', 'dataset:customers', 'Why the policy asked', 'export-large-prod-needs-data-owner', 'ActionRequested', 'Approve']) expect(request.text).toContain(expected);
    // What the agent wrote is shown as text, never as markup.
    expect(request.text).toContain('quarterly &lt;b&gt;numbers&lt;/b&gt;');
    expect(request.text).not.toContain('<b>numbers</b>');

    const { body, ...headers } = form({ csrf: csrfOf(request.text), decision: 'APPROVE', comment: 'fine for the quarter' });
    const voted = await fetch(url(`/console/actions/${created.actionId}/vote`), { method: 'POST', headers: { ...headers, cookie: alice }, body });
    expect(voted.status).toBe(200);
    expect(await voted.text()).toContain('Your vote was recorded; the action is now APPROVED');
    expect((await awaitOutcome(agent, created.actionId)).action).toMatchObject({ status: 'APPROVED', approval: { votes: [{ approverId: 'alice', channel: 'console' }] } });

    // Her history, and the auditors' search, from the audit read model.
    const history = await eventually(() => page('/console/history', alice), (p) => p.text.includes(created.actionId));
    expect(history.text).toContain('APPROVED');
    const audit = await eventually(() => page('/console/audit?agent=agent-reporting&status=APPROVED', alice), (p) => p.text.includes(created.actionId));
    expect(audit.status).toBe(200);
    const denied = await page('/console/audit?status=DENIED&agent=agent-reporting', alice);
    expect(denied.text).not.toContain(created.actionId);
  });

  it('refuses a vote without the form token, a forged session, and shows the self-approval refusal', async () => {
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5001}', onBehalfOf: 'alice' }));
    await awaitOutcome(agent, created.actionId, 200);
    const alice = await signIn('alice');

    const { body, ...headers } = form({ decision: 'APPROVE', csrf: 'forged' });
    expect((await fetch(url(`/console/actions/${created.actionId}/vote`), { method: 'POST', headers: { ...headers, cookie: alice }, body })).status).toBe(403);
    expect((await page('/console', 'approvals_session=eyJzdWIiOiJib2IifQ.forged')).status).toBe(303);

    // alice is who the agent acts for: no vote button for her, and a vote sent anyway is refused and recorded.
    const view = await page(`/console/actions/${created.actionId}`, alice);
    expect(view.text).not.toContain('value="APPROVE"');
    const sent = form({ csrf: csrfOf(view.text), decision: 'APPROVE' });
    const refused = await fetch(url(`/console/actions/${created.actionId}/vote`), { method: 'POST', headers: { 'content-type': sent['content-type'], cookie: alice }, body: sent.body });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('SELF_APPROVAL');
    expect((await unary(agent.intake, 'GetAction', { actionId: created.actionId })).status).toBe('AWAITING_APPROVAL');

    const bob = await signIn('bob');
    const bobView = await page(`/console/actions/${created.actionId}`, bob);
    const deny = form({ csrf: csrfOf(bobView.text), decision: 'DENY', comment: '' });
    const noComment = await fetch(url(`/console/actions/${created.actionId}/vote`), { method: 'POST', headers: { 'content-type': deny['content-type'], cookie: bob }, body: deny.body });
    expect(noComment.status).toBe(400);
    expect(await noComment.text()).toContain('A comment is required to deny');
  });
});
