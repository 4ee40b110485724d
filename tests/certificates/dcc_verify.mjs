// Verifies a credential with the Digital Credentials Consortium's verifier (verifier-core),
// the library behind the Learner Credential Wallet and VerifierPlus, without any network:
//
//   node tests/certificates/dcc_verify.mjs <credential.json> <origin of the test server>
//
// Every fetch the verifier makes goes through the loader below: a JSON-LD context is read
// from app/certificates/contexts/ (the files the platform ships), the platform's own URLs
// (did:web resolves to https://<host>/.well-known/did.json; the status list) go to the test
// server over plain HTTP, and anything else is refused. Prints the verifier's result as JSON.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const contextsDir = path.join(here, '..', '..', 'app', 'certificates', 'contexts');
const CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
};

const [credentialPath, origin] = process.argv.slice(2);
const server = new URL(origin);
const credential = JSON.parse(fs.readFileSync(credentialPath, 'utf8'));
const networkFetch = globalThis.fetch;
const refused = [];

globalThis.fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const bare = url.href.replace(/#.*$/, '');
  if (CONTEXTS[bare]) {
    const body = fs.readFileSync(path.join(contextsDir, CONTEXTS[bare]), 'utf8');
    return new Response(body, { headers: { 'content-type': 'application/ld+json' } });
  }
  if (url.host === server.host) {
    // did:web always says https; the test server speaks plain HTTP on the same host.
    const local = new URL(url.pathname + url.search, server);
    return networkFetch(local, { method: init?.method ?? 'GET', headers: init?.headers });
  }
  refused.push(url.href);
  throw new TypeError(`network disabled in this test: ${url.href}`);
};

// Whatever the libraries log goes to stderr: stdout is the result alone.
console.log = (...args) => console.error(...args);
const { verifyCredential } = await import('@digitalcredentials/verifier-core');
const result = await verifyCredential({ credential, knownDIDRegistries: [] });
delete result.credential;
process.stdout.write(JSON.stringify({ result, refused }, null, 2) + '\n');
