// The peer for the token endpoint bench: node oidc-provider issuing client_credentials access tokens as
// ES256-signed JWTs, with the same client authentication methods PartnerGate offers (a secret, and
// private_key_jwt with an ES256 key). Only what the bench needs is switched on, so the number measures the
// token endpoint and nothing else.
//
//   node bench/oidc-peer/peer.mjs [--port 4100] [--jwk public-key.jwk|.pem]
//   PEER_PORT / PEER_CLIENT_JWK do the same through the environment.
//
// Prints "peer listening on http://127.0.0.1:PORT" once it accepts connections; token endpoint: /token.

import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PEER_PORT ?? '4100' },
    jwk: { type: 'string', default: process.env.PEER_CLIENT_JWK },
  },
});

const port = Number.parseInt(args.port, 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`invalid port: ${args.port}`);
  process.exit(2);
}
if (!args.jwk) {
  console.error('the bench-jwt client needs its public key: --jwk FILE or PEER_CLIENT_JWK (a JWK, or an SPKI PEM)');
  process.exit(2);
}

// The same audience and scope PartnerGate's demo resource server uses, so both issue comparable tokens.
const RESOURCE = 'https://supply.acme.example/purchase-orders';
const SCOPE = 'orders.read';

function readClientJwk(path) {
  const text = readFileSync(path, 'utf8');
  // Accept the PEM the bench script hands PartnerGate as well, so one key file can serve both.
  const jwk = text.trimStart().startsWith('-----BEGIN')
    ? createPublicKey(text).export({ format: 'jwk' })
    : JSON.parse(text);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || jwk.d) {
    throw new Error(`${path}: expected a public P-256 (ES256) key`);
  }
  return { ...jwk, alg: 'ES256', use: 'sig' };
}

// A fresh signing key per start: nothing persists between bench runs, and no key material is committed.
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'peer-es256' };

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  jwks: { keys: [signingJwk] },
  clients: [
    {
      client_id: 'bench-secret',
      client_secret: 'bench-secret-secret',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: SCOPE,
    },
    {
      client_id: 'bench-jwt',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [readClientJwk(args.jwk)] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: SCOPE,
    },
  ],
  scopes: [SCOPE],
  // The only key in the keystore is ES256; the client default (RS256) would make every client invalid.
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  features: {
    clientCredentials: { enabled: true },
    // Without a resource server, client_credentials tokens are opaque; with one they can be JWTs.
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator) => {
        if (resourceIndicator !== RESOURCE) {
          throw new Provider.errors.InvalidTarget();
        }
        return {
          scope: SCOPE,
          audience: RESOURCE,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
    // No browser flows are measured; the dev login pages would only add routes and a start-up notice.
    devInteractions: { enabled: false },
  },
});

// Koa would print every server error to stderr; the bench counts non-200 responses itself and keeps
// the terminal for the result lines. The first server error still gets one line, so a broken peer shows.
provider.silent = true;
let reported = false;
provider.on('server_error', (_ctx, error) => {
  if (!reported) {
    reported = true;
    console.error(`peer server_error: ${error?.message ?? error}`);
  }
});

const server = createServer(provider.callback());
// The driver keeps its pooled connections busy; a long keep-alive avoids reconnects between bursts.
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  console.log(`peer listening on ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
