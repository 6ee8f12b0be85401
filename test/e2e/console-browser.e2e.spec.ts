import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import type { ApprovalsClient } from '@approvals/client';
import { unary } from '@approvals/client';
import { EmbeddedServer, freePort, repoRoot } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs } from './support';

jest.setTimeout(90_000);

const chromiumPath = process.env['APPROVALS_CHROMIUM'] ?? '/usr/bin/chromium';
const artifacts = join(repoRoot(), 'test', 'e2e', 'artifacts');

// The console in a real headless Chromium (Debian's, driven by playwright-core; no browser
// download): sign in through a real OpenID Connect provider started here, approve a pending
// request, see the outcome. Screenshots go to test/e2e/artifacts/.
describe('web console in a browser, with OpenID Connect sign-in', () => {
  let provider: ChildProcess;
  let server: EmbeddedServer;
  let browser: Browser;
  let agent: ApprovalsClient;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: npm test installs Debian's chromium, or set APPROVALS_CHROMIUM`);
    mkdirSync(artifacts, { recursive: true });
    const [providerPort, httpPort] = [await freePort(), await freePort()];
    const consoleUrl = `http://127.0.0.1:${httpPort}`;
    provider = spawn(process.execPath, [join(repoRoot(), 'test', 'e2e', 'oidc-provider.mjs'), String(providerPort), 'approvals-console', 'console-test-secret', `${consoleUrl}/console/callback`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      provider.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      provider.once('exit', (code) => reject(new Error(`the OpenID provider exited with ${code}`)));
    });
    server = await EmbeddedServer.start({
      httpPort,
      env: {
        APPROVALS_CONSOLE_URL: consoleUrl,
        APPROVALS_CONSOLE_OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
        APPROVALS_CONSOLE_OIDC_CLIENT_ID: 'approvals-console',
        APPROVALS_CONSOLE_OIDC_CLIENT_SECRET: 'console-test-secret',
      },
    });
    agent = clientAs(server.grpcAddress, 'agent-reporting');
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    agent?.close();
    await server?.dispose();
    provider?.kill();
  });

  it('signs alice in through the provider; she approves a pending export and sees the outcome', async () => {
    const created = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' }));
    await awaitOutcome(agent, created.actionId, 200);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } }); // a phone
    const page = await context.newPage();
    await page.goto(`${server.httpUrl}/console`);
    // The provider's own login and consent pages.
    await page.waitForSelector('input[name="login"]');
    await page.fill('input[name="login"]', 'alice@example.com');
    await page.fill('input[name="password"]', 'any');
    await page.screenshot({ path: join(artifacts, 'console-1-provider-login.png') });
    await page.click('button[type="submit"]');
    await page.waitForLoadState('load');
    if (!page.url().startsWith(server.httpUrl)) await page.click('button[type="submit"]'); // consent
    await page.waitForURL(`${server.httpUrl}/console`);
    await page.getByRole('heading', { name: 'Waiting for me' }).waitFor();
    expect(await page.textContent('header')).toContain('Signed in as alice');
    await page.screenshot({ path: join(artifacts, 'console-2-inbox.png'), fullPage: true });

    await page.click(`a[href="/console/actions/${created.actionId}"]`);
    await page.getByRole('heading', { name: 'Why the policy asked' }).waitFor();
    await page.fill('textarea[name="comment"]', 'fine for the weekly report');
    await page.screenshot({ path: join(artifacts, 'console-3-request.png'), fullPage: true });
    await page.click('button[value="APPROVE"]');
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Your vote was recorded; the action is now APPROVED');
    await page.screenshot({ path: join(artifacts, 'console-4-approved.png'), fullPage: true });
    await context.close();

    expect((await awaitOutcome(agent, created.actionId)).action).toMatchObject({ status: 'APPROVED', approval: { votes: [{ approverId: 'alice', channel: 'console' }] } });
  });

  it('refuses someone the provider knows but the directory does not', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.httpUrl}/console`);
    await page.waitForSelector('input[name="login"]');
    await page.fill('input[name="login"]', 'mallory@example.com');
    await page.fill('input[name="password"]', 'any');
    await page.click('button[type="submit"]');
    await page.waitForLoadState('load');
    if (!page.url().startsWith(server.httpUrl)) await page.click('button[type="submit"]');
    await page.getByRole('heading', { name: 'Not an approver' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('mallory@example.com is not a person of the approvals directory');
    await context.close();
  });
});
