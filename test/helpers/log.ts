/**
 * A logger that keeps its lines, so tests can read what would have been logged: each object
 * goes through the same serializers as the process's pino logger (core/logger.ts), so an error
 * reads here exactly as it would in the log.
 */
import { LOG_SERIALIZERS, type Logger } from '../../core/logger.ts';

export interface MemoryLogger extends Logger {
  lines: Array<{ level: string; obj: unknown; msg?: string }>;
  /** Every line as JSON, one per line: what a log file would hold. */
  text(): string;
}

function serialized(obj: object | string): unknown {
  if (typeof obj === 'string' || obj === null) return obj;
  // pino logs an error given on its own under `err`.
  if (obj instanceof Error) return { err: LOG_SERIALIZERS.err(obj) };
  const out: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  for (const [key, serialize] of Object.entries(LOG_SERIALIZERS)) if (key in out) out[key] = serialize(out[key]);
  return out;
}

export function memoryLogger(lines: MemoryLogger['lines'] = []): MemoryLogger {
  const at = (level: string) => (obj: object | string, msg?: string) => {
    lines.push({ level, obj: serialized(obj), msg });
  };
  return {
    lines,
    text: () => lines.map((l) => JSON.stringify(l)).join('\n'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: () => memoryLogger(lines),
  };
}
