import { parentPort, workerData } from 'node:worker_threads';
import { recomputeShare, type ShareJob } from './export-share';

// Worker thread of recomputeAuditExport: one share of the responders. recomputeShare never rejects.
void recomputeShare(workerData as ShareJob).then((outcome) => parentPort?.postMessage(outcome));
