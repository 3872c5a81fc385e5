import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnsafeJsonBodyError } from '../http/json-body-guard';
import { isDatabaseUnavailable, isTransientConflict } from '../sql/database-errors';
import { DomainError } from './domain-error';
import { ERROR_STATUS, type ErrorCode } from './error-codes';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  correlationId?: string;
  errors?: Array<{ field: string; message: string }>;
  [extra: string]: unknown;
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Turns any thrown value into an RFC 9457 problem (application/problem+json); unexpected errors never leak internals. */
export function toProblem(err: unknown, correlationId: string | undefined): { problem: ProblemDetails; headers: Record<string, string>; unexpected: boolean } {
  const headers: Record<string, string> = {};
  let code: ErrorCode;
  let detail: string;
  let extra: Record<string, unknown> = {};
  let unexpected = false;

  if (err instanceof DomainError) {
    code = err.code;
    detail = err.message;
    extra = err.details ?? {};
    if (code === 'rate_limited' && typeof extra.retryAfterSeconds === 'number') headers['Retry-After'] = String(extra.retryAfterSeconds);
  } else if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    const messages = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
    code = codeForStatus(status);
    detail = typeof messages === 'string' ? messages : err.message;
    if (Array.isArray(messages) && status === 400) {
      code = 'validation_failed';
      detail = 'The request has invalid fields.';
      extra.errors = messages.map((m) => toFieldError(String(m)));
    }
    if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(detail)) detail = 'No such route.';
    // Fastify's own refusals before a route runs reach here as HttpExceptions (Nest wraps them); the 415 says nothing.
    if ((err.cause as { code?: unknown } | undefined)?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      detail = 'The request body is of a type this API does not read: send application/json.';
    }
  } else if (err instanceof UnsafeJsonBodyError) {
    code = 'malformed_request';
    detail = err.message;
  } else if (isDatabaseUnavailable(err)) {
    code = 'database_unavailable';
    detail = 'The database is temporarily unavailable; retry shortly.';
    headers['Retry-After'] = '5';
  } else if (isTransientConflict(err)) {
    code = 'service_unavailable';
    detail = 'The request collided with another change made at the same moment and was not saved; retry it.';
    headers['Retry-After'] = '1';
  } else {
    code = 'internal_error';
    detail = 'An unexpected error occurred. Quote the correlation id when reporting it.';
    unexpected = true;
  }
  const status = ERROR_STATUS[code];
  if (status === 503 && !headers['Retry-After']) headers['Retry-After'] = '5';
  return {
    problem: {
      type: `https://responder-checkin.dev/problems/${code}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      code,
      ...extra,
      ...(correlationId ? { correlationId } : {}),
    },
    headers,
    unexpected,
  };
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'malformed_request';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate_limited';
    case 503:
      return 'service_unavailable';
    default:
      return status >= 500 ? 'internal_error' : 'malformed_request';
  }
}

function toFieldError(message: string): { field: string; message: string } {
  const field = message.split(' ')[0] ?? '';
  return { field, message };
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const correlationId = req.id;
    const { problem, headers, unexpected } = toProblem(exception, correlationId);
    if (unexpected) {
      this.logger.error({ err: exception, correlationId }, 'unexpected error');
    } else if (problem.status === 503) {
      this.logger.warn({ code: problem.code, correlationId }, 'dependency unavailable');
    }
    if (reply.raw.headersSent) return;
    const body = JSON.stringify({ ...problem, instance: req.url.split('?')[0] });
    if (reply.sent) {
      // A handler that took over the response (reply.hijack(), to stream) and failed before writing anything.
      reply.raw.writeHead(problem.status, { ...headers, 'Content-Type': 'application/problem+json' }).end(body);
      return;
    }
    reply.headers(headers).code(problem.status).type('application/problem+json').send(body);
  }
}
