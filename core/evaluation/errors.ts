/**
 * @module
 * The one error type of the evaluation rules. `code` is stable for programs (handlers map it to
 * a toast or a 422); `issues` lists every problem found, each a code with the figures to word it
 * with: the panel words them in the reader's language, the bot in Chinese.
 */

/** The figures and names an issue is worded with; a list is joined in the reader's language. */
export type IssueParams = Record<string, string | number | string[]>;

/** A problem a person caused, e.g. `{ code: 'raters.self', params: { cadreId: 12 } }`. */
export interface Issue {
  code: string;
  params?: IssueParams;
  /** Problems grouped under this one (a file's row and what is wrong with it), worded after it. */
  parts?: Issue[];
}

/**
 * Modules not yet worded by code still explain in Chinese: `{ code: 'text', params: { text } }`.
 * @example legacyIssue('文件中没有选票')
 */
export function legacyIssue(text: string): Issue {
  return { code: 'text', params: { text } };
}

export class EvaluationError extends Error {
  readonly issues: Issue[];
  constructor(
    readonly code: string,
    issues: Issue | Issue[] | string = { code },
  ) {
    const list = typeof issues === 'string' ? [legacyIssue(issues)] : Array.isArray(issues) ? issues : [issues];
    // Codes and Chinese texts only, for logs; the reader sees them worded.
    super(list.map((i) => (i.code === 'text' ? String(i.params?.text) : i.code)).join('；'));
    this.name = 'EvaluationError';
    this.issues = list;
  }
}

/** Throws one EvaluationError listing every issue, or returns when there are none. */
export function assertNoIssues(code: string, issues: Issue[]): void {
  if (issues.length > 0) throw new EvaluationError(code, issues);
}
