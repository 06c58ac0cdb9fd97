/**
 * Fault injection for test/crash.test.ts, loaded with `node --import` into the FIRST server process
 * only (the one that gets SIGKILL). The restarted server runs the unmodified code.
 *
 * - Every classification started in this process never finishes, so at the kill the classification
 *   queue deterministically holds one job `running` (taken by the worker) and the rest `pending`.
 * - A survey answer whose raw text contains HOLD_ANSWER never gets written: that customer's turn is
 *   deterministically in flight (after the duplicate-activity record, before the answer) when the
 *   process is killed.
 *
 * Each hold prints one marker line on stderr, so the test waits on conditions, not on sleeps.
 */
import { ClassificationPipeline } from '../../src/nlp/classify/pipeline';
import { SurveyRepo } from '../../src/survey/surveyRepo';

export const HOLD_ANSWER = 'crash-hold-marker';
export const HELD_CLASSIFICATION = '[crash-hold] classification held';
export const HELD_ANSWER = '[crash-hold] answer held';

if (process.env.CRASH_HOLD === '1') {
  ClassificationPipeline.prototype.classify = function () {
    process.stderr.write(`${HELD_CLASSIFICATION}\n`);
    return new Promise<never>(() => undefined);
  };
  const answer = SurveyRepo.prototype.answer;
  SurveyRepo.prototype.answer = function (this: SurveyRepo, surveyId, a) {
    if (a.rawText?.includes(HOLD_ANSWER)) {
      process.stderr.write(`${HELD_ANSWER}\n`);
      return new Promise<never>(() => undefined);
    }
    return answer.call(this, surveyId, a);
  };
}
