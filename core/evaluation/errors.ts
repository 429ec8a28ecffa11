/**
 * @module
 * The one error type of the evaluation rules. `code` is stable for programs (handlers map it to
 * a toast or a 422); `message` is Chinese, for the person who caused it; `issues` lists every
 * problem found when a whole form or file was checked.
 */
export class EvaluationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly issues: string[] = [message],
  ) {
    super(message);
    this.name = 'EvaluationError';
  }
}

/** Throws one EvaluationError listing every issue, or returns when there are none. */
export function assertNoIssues(code: string, summary: string, issues: string[]): void {
  if (issues.length > 0) throw new EvaluationError(code, `${summary}：${issues.join('；')}`, issues);
}
