/**
 * @module
 * What the operator commands (cli.ts) say when they stop, worded from the codes core gives.
 * The CLI speaks Chinese, like its other output.
 */
import type { DirectorySyncError } from './core/directory.ts';

/** What the operator reads when a directory sync stops (in Chinese, like the CLI's other output). */
export function directorySyncMessage(error: DirectorySyncError): string {
  const { listing, page, reason, max } = error.details;
  const what = listing.kind === 'children' ? `部门 ${listing.departmentId} 的下级部门` : `部门 ${listing.departmentId} 的成员`;
  switch (error.problem) {
    case 'page_unreadable':
      return `读取飞书通讯录失败：${what}第 ${page} 页未能读取（${reason}）。本次同步没有导入任何数据，请稍后重试。`;
    case 'page_token_missing':
      return `读取飞书通讯录失败：${what}第 ${page} 页声明还有更多数据，却没有给出下一页的标记。本次同步没有导入任何数据。`;
    case 'too_many_pages':
      return `读取飞书通讯录失败：${what}超过 ${max} 页。本次同步没有导入任何数据。`;
  }
}
