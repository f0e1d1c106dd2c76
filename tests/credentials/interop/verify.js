// Reads {"credential": {...}, "documents": {url: document}} on stdin and verifies the credential
// with the Digital Credentials Consortium's libraries, loading only the given documents and the
// contexts they bundle (nothing from the network). Prints {"verified": bool, "errors": [...]}.
import {DataIntegrityProof} from '@digitalcredentials/data-integrity';
import {cryptosuite} from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalcredentials/security-document-loader';
import * as vc from '@digitalcredentials/vc';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const {credential, documents = {}} = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const loader = securityLoader();
for (const [url, document] of Object.entries(documents)) loader.addStatic(url, document);

const errors = (error) => [error, ...(error?.errors ?? [])]
  .filter(Boolean).map((e) => String(e?.message ?? e));
try {
  const result = await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({cryptosuite}),
    documentLoader: loader.build(),
  });
  const problems = [result.error, ...(result.results ?? []).map((r) => r.error)].flatMap(errors);
  console.log(JSON.stringify({verified: result.verified, errors: problems}));
} catch (error) {
  console.log(JSON.stringify({verified: false, errors: errors(error)}));
}
