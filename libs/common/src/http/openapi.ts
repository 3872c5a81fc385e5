import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, type ResponseObject } from '@nestjs/swagger';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode, type ErrorStatus } from '../errors/error-codes';
import { ProblemDetailsDto } from '../errors/problem-details.dto';

/**
 * OpenAPI decorators for the api's routes: success responses whose schema TypeScript checks against the handler,
 * and error responses as problem details. test/openapi.e2e-spec.ts fails when a route's response is not described.
 */

export const PROBLEM_JSON = 'application/problem+json';

/** The statuses whose usual meaning routes share, with the code(s) the filter gives them (codeForStatus). */
type CommonStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429;

const COMMON: Record<CommonStatus, { meaning: string; codes: ErrorCode[] }> = {
  400: { meaning: 'The request is malformed or has invalid fields (`errors` names them).', codes: ['validation_failed', 'malformed_request'] },
  401: { meaning: 'No valid access token.', codes: ['unauthenticated'] },
  403: { meaning: "The caller's role, incident assignment or jurisdiction does not allow this.", codes: ['forbidden'] },
  404: { meaning: 'Not found.', codes: ['not_found'] },
  409: { meaning: 'Conflicts with the current state.', codes: ['conflict'] },
  413: { meaning: 'The body is larger than 256 KiB.', codes: ['payload_too_large'] },
  415: { meaning: 'The body is of a type this route does not read.', codes: ['unsupported_media_type'] },
  422: { meaning: 'Understood, but refused by the rules.', codes: ['unprocessable'] },
  429: { meaning: 'Too many requests: retry after Retry-After seconds.', codes: ['rate_limited'] },
};

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } } as const;

/** The content of an error response: problem details. */
export const problemContent = (): NonNullable<ResponseObject['content']> => ({
  [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } },
});

function problemResponse(description: string, codes: readonly ErrorCode[]): ResponseObject {
  const retryAfter = codes.some((code) => ERROR_STATUS[code] === 429 || ERROR_STATUS[code] === 503);
  return {
    description: `${description} ${codes.length > 1 ? 'Codes' : 'Code'}: ${codes.join(', ')}.`,
    content: problemContent(),
    ...(retryAfter ? { headers: RETRY_AFTER } : {}),
  };
}

const problemDecorator = (status: ErrorStatus, response: ResponseObject): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiExtraModels(ProblemDetailsDto), ApiResponse({ status, ...response }));

/** Error responses with their usual meaning and code (on a controller: for every route of it). */
export function ApiProblems(...statuses: CommonStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => problemDecorator(status, problemResponse(COMMON[status].meaning, COMMON[status].codes))));
}

/**
 * An error with a code of its own and what it means on this route; its status comes from the error code table.
 * Several on one route and status are listed together.
 */
export function ApiProblem(code: ErrorCode, description: string): MethodDecorator & ClassDecorator {
  return problemDecorator(ERROR_STATUS[code], problemResponse(description, [code]));
}

/** Every error a route does not list: the document's `default` response (DocumentBuilder.addGlobalResponse). */
export const DEFAULT_PROBLEM_RESPONSE = {
  status: 'default',
  ...problemResponse(
    'Any other error: 500 (unexpected: quote the correlationId), 503 (retry after Retry-After seconds).',
    ERROR_CODES.filter((code) => ERROR_STATUS[code] >= 500),
  ),
} as const;

/** A method decorator that only fits a handler returning T (or a promise of it). */
type Returning<T> = <H extends (...args: never[]) => T | Promise<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>) => void;

interface Success {
  status?: 200 | 201 | 202;
  description: string;
  headers?: ResponseObject['headers'];
}

/**
 * The route's success response is `type` (a DTO class; `[type]` for a list), and TypeScript checks that the handler
 * returns what the document promises: a handler whose return type does not fit the DTO does not compile.
 */
export function ApiSuccess<T>(type: [Type<T>], success: Success): Returning<T[]>;
export function ApiSuccess<T>(type: Type<T>, success: Success): Returning<T>;
export function ApiSuccess(type: Type<unknown> | [Type<unknown>], { status = 200, description, headers }: Success): MethodDecorator {
  return ApiResponse({ status, description, type, headers });
}
