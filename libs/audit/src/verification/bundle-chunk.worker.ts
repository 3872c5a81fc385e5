import { parentPort, workerData } from 'node:worker_threads';
import { linkRange, type ChunkRange } from './bundle-chunk';

// Worker thread of verifyBundleFile: hashes one byte range of a bundle's entries. Imports no framework code.
parentPort?.postMessage(linkRange(workerData as ChunkRange));
