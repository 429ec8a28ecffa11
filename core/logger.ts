/**
 * @module
 * The logger interface the code depends on (pino satisfies it). Log lines carry ids, never
 * names, mobiles or answers.
 */
export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
