// Reads {"credential": {...}, "documents": {url: document}} on stdin and verifies the credential
// with the Digital Credentials Consortium's libraries, loading only the given documents and the
// contexts they bundle (nothing from the network). Prints {"verified": bool, "errors": [...]}.
import {DataIntegrityProof} from '@digitalcredentials/data-integrity';
import {cryptosuite} from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalcredentials/security-document-loader';
import * as vc from '@digitalcredentials/vc';
import {gunzipSync} from 'node:zlib';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const {credential, documents = {}} = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const loader = securityLoader();
for (const [url, document] of Object.entries(documents)) loader.addStatic(url, document);

const suite = new DataIntegrityProof({cryptosuite});
const documentLoader = loader.build();

// The Bitstring Status List check, written here from the W3C Recommendation: the list credential
// must verify (with the DCC libraries) and be the credential issuer's; index 0 is the left-most bit.
async function checkStatus({credential}) {
  const entry = credential.credentialStatus;
  const {document: list} = await documentLoader(entry.statusListCredential);
  const listed = await vc.verifyCredential({credential: list, suite, documentLoader});
  const issuer = credential.issuer?.id ?? credential.issuer;
  if(!listed.verified || (list.issuer?.id ?? list.issuer) !== issuer) {
    return {verified: false, error: new Error('the status list credential does not verify')};
  }
  const bits = gunzipSync(Buffer.from(list.credentialSubject.encodedList.slice(1), 'base64url'));
  const index = Number(entry.statusListIndex);
  const revoked = (bits[index >> 3] >> (7 - (index & 7))) & 1;
  return revoked ? {verified: false, error: new Error('revoked')} : {verified: true};
}

const errors = (error) => [error, ...(error?.errors ?? [])]
  .filter(Boolean).map((e) => String(e?.message ?? e));
try {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  const problems = [
    result.error, result.statusResult?.error, ...(result.results ?? []).map((r) => r.error),
  ].flatMap(errors);
  console.log(JSON.stringify({verified: result.verified, errors: problems}));
} catch (error) {
  console.log(JSON.stringify({verified: false, errors: errors(error)}));
}
