import { inSpan, isTracingOn, SpanKind } from '@app/telemetry';

/**
 * A client span per statement (`db SELECT`, `db WITH`...): the operation only, never the text or values, which
 * can hold personal data.
 */
export function inStatementSpan<T>(text: string, work: () => Promise<T>): Promise<T> {
  if (!isTracingOn()) return work();
  const operation = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
  return inSpan(`db ${operation}`, work, { 'db.system.name': 'postgresql', 'db.operation.name': operation }, SpanKind.CLIENT);
}
