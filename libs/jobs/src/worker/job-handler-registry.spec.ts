import { JOB_NAMES, type JobName } from '../job-catalog';
import type { JobHandler } from './job-handler';
import { handlerTable, type FoundHandler } from './job-handler-registry';

const handler = (job: string, provider = `${job}-processor`): FoundHandler => ({
  job,
  provider,
  instance: { handle: async () => undefined } as JobHandler<JobName>,
});

describe('the start-up check of job handlers against the catalog', () => {
  it('accepts exactly one handler per job', () => {
    const table = handlerTable(JOB_NAMES.map((n) => handler(n)));
    expect([...table.keys()].sort()).toEqual([...JOB_NAMES].sort());
  });

  it('refuses a job without a handler, naming it', () => {
    const [missing, ...rest] = JOB_NAMES;
    expect(() => handlerTable(rest.map((n) => handler(n)))).toThrow(`job "${missing}" has no handler`);
  });

  it('refuses a job with two handlers, naming both', () => {
    const found = [...JOB_NAMES.map((n) => handler(n)), handler(JOB_NAMES[0], 'SecondProcessor')];
    expect(() => handlerTable(found)).toThrow(/has 2 handlers \(.*SecondProcessor\)/);
  });

  it('refuses a handler for a job that is not in the catalog', () => {
    expect(() => handlerTable([...JOB_NAMES.map((n) => handler(n)), handler('reverify.everything', 'Stray')])).toThrow(/Stray handles "reverify.everything"/);
  });
});
