/**
 * The engine's Data Integrity verifier for the offline station: jsonld, rdf-canonize and the bundled JSON-LD contexts
 * (never fetched), with WebCrypto proofs. A separate chunk, imported only when a Data Integrity credential is scanned
 * (station.ts); the service worker caches it with the rest of the build, so it loads offline too.
 */
import { offlineDataIntegrity } from '../../../../libs/credentials/src/offline/offline-data-integrity';
// The bundled contexts, made a module by scripts/build-web.mjs after checking each file against its pinned SHA-256.
import contexts from 'virtual:jsonld-contexts';

export const dataIntegrityVerifier = () => offlineDataIntegrity(contexts);
