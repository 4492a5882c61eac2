// A real OpenID provider for the tests (the npm package oidc-provider, run on 127.0.0.1): the
// authorization code flow with PKCE required, discovery, signed ID tokens. Nobody types a
// password: whoever reaches its login step is signed in as the current test account, which a
// test sets with `GET /test/account/<name>`. Prints `issuer=<url>` once it listens.
//
// Settings (environment): OP_PORT (0: any free port), OP_REDIRECT_URIS (comma-separated, each
// matched exactly), OP_CLIENT_ID and OP_CLIENT_SECRET.
import * as http from 'node:http';
import Provider from 'oidc-provider';

const accounts = {
  alice: { name: 'Alice Test', preferred_username: 'alice' },
  bob: { name: 'Bob Test', preferred_username: 'bob' },
};
let account = 'alice';

const server = http.createServer();
server.listen(Number(process.env.OP_PORT ?? 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: process.env.OP_CLIENT_ID ?? 'rhizom-test',
      client_secret: process.env.OP_CLIENT_SECRET ?? 'rhizom-test-secret',
      redirect_uris: (process.env.OP_REDIRECT_URIS ?? '').split(',').filter(Boolean),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    cookies: { keys: ['test-only-cookie-key'] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    // The profile's claims in the ID token too (it is all the app reads).
    conformIdTokenClaims: false,
    // Every authorization request must carry an S256 PKCE challenge: the app must send one.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      return { accountId: sub, async claims() { return { sub, ...(accounts[sub] ?? {}) }; } };
    },
    // No consent screen: the client is granted what it asks for.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', async (req, res) => {
    const chosen = req.url.match(/^\/test\/account\/([a-z]+)$/);
    if (req.method === 'GET' && chosen) {
      account = chosen[1];
      res.end(`signing in as ${account}`);
      return;
    }
    if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
      try {
        const { prompt } = await provider.interactionDetails(req, res);
        if (prompt.name !== 'login') {
          res.statusCode = 501;
          res.end(`unexpected prompt ${prompt.name}`);
          return;
        }
        await provider.interactionFinished(
          req, res, { login: { accountId: account } }, { mergeWithLastSubmission: false },
        );
      } catch (error) {
        res.statusCode = 400;
        res.end(String(error));
      }
      return;
    }
    handle(req, res);
  });
  console.log(`issuer=${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
