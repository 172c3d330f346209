/**
 * Starts the longest test files first, across projects. Vitest's own order takes projects by
 * name, so the stack files (the longest) started last and the run ended on them; with files
 * side by side the run is only as short as its last file allows. Durations come from the
 * previous run; without one (a fresh checkout) the stack files go first, then larger files.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Without a previous duration: the projects whose files take longest first. */
const PROJECT_ORDER = ['stack', 'local', 'integration', 'infra', 'unit'];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (spec: TestSpecification) =>
      `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
    const duration = (spec: TestSpecification) => this.ctx.cache.getFileTestResults(key(spec))?.duration;
    const rank = (spec: TestSpecification) => {
      const index = PROJECT_ORDER.indexOf(spec.project.name);
      return index === -1 ? PROJECT_ORDER.length : index;
    };
    const size = (spec: TestSpecification) => this.ctx.cache.getFileStats(key(spec))?.size ?? 0;
    return [...files].sort((a, b) => {
      const [da, db] = [duration(a), duration(b)];
      if (da !== undefined && db !== undefined) return db - da;
      if (da !== undefined || db !== undefined) return da === undefined ? -1 : 1; // unknown first
      return rank(a) - rank(b) || size(b) - size(a);
    });
  }
}
