/** A logger that keeps its lines, so tests can read what would have been logged. */
import type { Logger } from '../../core/logger.ts';

export interface MemoryLogger extends Logger {
  lines: Array<{ level: string; obj: unknown; msg?: string }>;
}

export function memoryLogger(lines: MemoryLogger['lines'] = []): MemoryLogger {
  const at = (level: string) => (obj: object | string, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return {
    lines,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: () => memoryLogger(lines),
  };
}
