import { JOB, JobName } from '../../../jobs/catalog.js';
import { checkCoverage } from './job-catalog.check.js';

describe('checkCoverage', () => {
  const all = Object.keys(JOB) as JobName[];

  it('passes when every job has exactly one handler', () => {
    expect(checkCoverage([all.slice(0, 3), all.slice(3)])).toEqual([]);
  });

  it('names a job nobody handles and a job handled twice', () => {
    const problems = checkCoverage([all.slice(1), [all[2]]]);
    expect(problems).toContain(`${all[0]} has 0 handlers`);
    expect(problems).toContain(`${all[2]} has 2 handlers`);
  });
});
