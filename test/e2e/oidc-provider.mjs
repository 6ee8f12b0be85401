// A real OpenID Connect provider (node-oidc-provider) for the console's browser test, run as its
// own process: node test/e2e/oidc-provider.mjs <port> <client id> <client secret> <redirect uri>.
// Its development login accepts any login name; the account's e-mail is that name.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['console-browser-test-cookie-key'] },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true }) }),
});
provider.listen(Number(port), '127.0.0.1', () => process.stdout.write(`ready ${provider.issuer}\n`));
