// An independent OpenID Connect provider standing in for a partner's own IdP (Entra ID, Okta, Keycloak…):
// node oidc-provider, in its own process, with its own login page. The federation tests start it on
// loopback; it is also how to try federation locally (README, "Federation").
//
//   node tests/PartnerGate.TestIdentityProvider/server.mjs --config idp.json
//   node tests/PartnerGate.TestIdentityProvider/server.mjs            (the demo configuration below)
//
// Prints "test-idp listening on <issuer>" once it accepts connections.
//
// The configuration (JSON):
// {
//   "port": 4600,                          0 picks a free port
//   "host": "127.0.0.1",                   the issuer is http://<host>:<port>
//   "clients": [{ "client_id", "client_secret", "redirect_uris": [], "redirect_uri_prefixes": [],
//                 "post_logout_redirect_uris": [], "grant_types": ["authorization_code"] }],
//   "accounts": [{ "id", "password", "claims": { "email", "name", "groups": [] }, "amr": ["pwd"], "acr": "…" }],
//   "workloadResources": [{ "audience": "https://partnergate/", "ttl": 300 }]
// }
// - accounts sign in on the login page; their claims go into the ID token and userinfo, their amr/acr into
//   the ID token (amr ["pwd","otp"] is a second factor; ["pwd"] is not).
// - a client with grant_types ["client_credentials"] is a workload: a token request with
//   resource=<a workloadResources audience> returns an ES256-signed JWT access token with aud = that audience,
//   sub = the client id, a jti and exp = now + ttl. These are the subject tokens PartnerGate's token
//   exchange accepts.
// - redirect_uri_prefixes: for tests whose redirect URIs contain ids not known at start. A test tool only:
//   a real provider registers exact URIs, and so should an administrator.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: process.env.TEST_IDP_CONFIG },
    port: { type: 'string', default: process.env.TEST_IDP_PORT },
  },
});

// The demo configuration: BoltNut's IdP as the README's "try it locally" uses it with the portal on :5080.
const demoConfiguration = {
  port: 4600,
  host: '127.0.0.1',
  clients: [
    {
      client_id: 'partnergate',
      client_secret: 'boltnut-idp-demo-secret',
      redirect_uri_prefixes: ['http://localhost:5080/signin-partner/', 'http://127.0.0.1:5080/signin-partner/'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code'],
    },
    { client_id: 'boltnut-erp-workload', client_secret: 'boltnut-erp-workload-secret', grant_types: ['client_credentials'] },
  ],
  accounts: [
    {
      id: 'dana',
      password: 'dana-idp-password',
      claims: { email: 'dana.fischer@boltnut.example', name: 'Dana Fischer', groups: ['boltnut-staff', 'partnergate-admins'] },
      amr: ['pwd', 'otp'],
    },
    {
      id: 'erik',
      password: 'erik-idp-password',
      claims: { email: 'erik.lang@boltnut.example', name: 'Erik Lang', groups: ['boltnut-staff'] },
      amr: ['pwd', 'otp'],
    },
  ],
  workloadResources: [{ audience: 'http://localhost:5080/', ttl: 300 }],
};

const configuration = args.config ? JSON.parse(readFileSync(args.config, 'utf8')) : demoConfiguration;
const host = configuration.host ?? '127.0.0.1';
const accounts = new Map((configuration.accounts ?? []).map((account) => [account.id, account]));
const workloadResources = new Map((configuration.workloadResources ?? []).map((r) => [r.audience, r]));
const redirectPrefixes = new Map((configuration.clients ?? []).map((c) => [c.client_id, c.redirect_uri_prefixes ?? []]));

const server = createServer();
await new Promise((resolve) => server.listen(Number.parseInt(args.port ?? configuration.port ?? 0, 10), host, resolve));
const issuer = `http://${host}:${server.address().port}`;

// Fresh keys per start: nothing persists, no key material is committed. RS256 is every RP's default for
// ID tokens; ES256 signs the workload JWTs.
const rsa = await generateKeyPair('RS256', { extractable: true });
const ec = await generateKeyPair('ES256', { extractable: true });
const jwks = {
  keys: [
    { ...(await exportJWK(rsa.privateKey)), alg: 'RS256', use: 'sig', kid: `rs-${randomUUID()}` },
    { ...(await exportJWK(ec.privateKey)), alg: 'ES256', use: 'sig', kid: `es-${randomUUID()}` },
  ],
};

const provider = new Provider(issuer, {
  jwks,
  clients: (configuration.clients ?? []).map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: client.grant_types ?? ['authorization_code'],
    response_types: (client.grant_types ?? ['authorization_code']).includes('authorization_code') ? ['code'] : [],
    // oidc-provider wants at least one exact URI on a code client; prefix-only clients get a stand-in.
    redirect_uris: client.redirect_uris?.length ? client.redirect_uris : (client.redirect_uri_prefixes ?? []).map((p) => `${p}registered-by-prefix`),
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
  })),
  // amr and acr ride on the openid scope: oidc-provider puts into the ID token only claims some scope (or a
  // claims request) asks for, and a relying party checking MFA needs them there.
  claims: {
    auth_time: null,
    sid: null,
    openid: ['sub', 'amr', 'acr'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  acrValues: [...new Set((configuration.accounts ?? []).map((a) => a.acr).filter(Boolean))],
  scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
  // The requested claims go into the ID token as well as userinfo, as Entra ID and Keycloak do.
  conformIdTokenClaims: false,
  findAccount: (_ctx, id) => {
    const account = accounts.get(id);
    return account && {
      accountId: id,
      claims: () => ({ sub: id, email_verified: true, ...account.claims }),
    };
  },
  // First-party provider: no consent page. The grant covers what the client asked for.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) {
        return existing;
      }
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
    await grant.save();
    return grant;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => false,
      getResourceServerInfo: (_ctx, resourceIndicator) => {
        const resource = workloadResources.get(resourceIndicator);
        if (!resource) {
          throw new errors.InvalidTarget();
        }
        return { scope: 'workload', audience: resource.audience, accessTokenTTL: resource.ttl ?? 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 300, IdToken: 300, AuthorizationCode: 60 },
});

// Test-only: redirect URIs by prefix (see the header).
const originalRedirectUriAllowed = provider.Client.prototype.redirectUriAllowed;
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return originalRedirectUriAllowed.call(this, value) ||
    (redirectPrefixes.get(this.clientId) ?? []).some((prefix) => typeof value === 'string' && value.startsWith(prefix));
};

// The detail of a refused token request goes to stderr only (the response says just invalid_grant): the
// test fixture shows it when a test fails.
provider.on('grant.error', (_ctx, error) => console.error(`test-idp grant.error: ${error.error_description}; ${error.error_detail ?? ''}`));
provider.on('server_error', (_ctx, error) => console.error(`test-idp server_error: ${error?.stack ?? error}`));

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, clientId, message) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Partner identity provider</title>
<style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto;color:#222}
label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1.5rem;padding:.6rem 1.2rem}.error{color:#b00020}</style></head>
<body><h1>Partner identity provider</h1><p>Sign in to continue to <strong>${escapeHtml(clientId)}</strong>.</p>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button></form></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function handleInteraction(req, res) {
  const match = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url);
  const details = await provider.interactionDetails(req, res);
  if (match[1] !== details.uid) {
    throw new errors.SessionNotFound('interaction mismatch');
  }

  if (details.prompt.name === 'consent') {
    // loadExistingGrant covers consent; this is reached only if a client asks for something odd.
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope ?? 'openid');
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    return;
  }

  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(details.uid, details.params.client_id));
    return;
  }

  const form = await readForm(req);
  const account = accounts.get(form.get('username') ?? '');
  if (!account || account.password !== form.get('password')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(details.uid, details.params.client_id, 'Unknown username or wrong password.'));
    return;
  }

  const login = { accountId: account.id, amr: account.amr ?? ['pwd'], ...(account.acr ? { acr: account.acr } : {}) };
  await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    handleInteraction(req, res).catch((error) => {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`interaction failed: ${error.message}`);
    });
    return;
  }
  callback(req, res);
});

console.log(`test-idp listening on ${issuer}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
