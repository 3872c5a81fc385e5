import { PrimarySourceRelookupProcessor } from './primary-source-relookup.processor';
import { RetentionPurgeProcessor } from './retention-purge.processor';
import { ReverifyRunProcessor } from './reverify-run.processor';
import { ReverifySweepProcessor } from './reverify-sweep.processor';
import { StatusListRefreshDueProcessor, StatusListRefreshProcessor } from './status-list-refresh.processor';

/** One processor per job of the catalog (@app/jobs); the worker refuses to start if one is missing. */
export const PROCESSORS = [
  ReverifySweepProcessor,
  ReverifyRunProcessor,
  StatusListRefreshDueProcessor,
  StatusListRefreshProcessor,
  RetentionPurgeProcessor,
  PrimarySourceRelookupProcessor,
];
