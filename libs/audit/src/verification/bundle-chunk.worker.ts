import { parentPort, workerData } from 'node:worker_threads';
import { linkLines, readRange, type ChunkRange } from './bundle-chunk';

// Worker thread of verifyBundleFile: hashes one byte range of a bundle's entries. Imports no framework code.
parentPort?.postMessage(linkLines(readRange(workerData as ChunkRange)));
