import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppException } from './app.exception.js';
import { briefly, isDependencyUnavailable } from './unavailable.js';

/** Seconds a client is asked to wait when Postgres or Redis was away for its request. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/** One error shape for every route: { statusCode, error, message, details? }. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE && !(exception instanceof AppException)) {
      this.logger.warn(`a request met the database or Redis away; answered 503: ${briefly(exception)}`);
    } else if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    }
    if (response.headersSent) return;
    if (exception instanceof AppException && exception.retryAfter !== undefined) response.setHeader('Retry-After', String(exception.retryAfter));
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE && !(exception instanceof AppException)) response.setHeader('Retry-After', String(DEPENDENCY_RETRY_AFTER_SECONDS));
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof AppException) {
      return this.body(exception.status, exception.message, exception.details);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const payload = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
      const message = typeof payload.message === 'string' ? payload.message : exception.message;
      return this.body(status, message, payload.details);
    }
    if (isBodyParserError(exception)) {
      return this.body(HttpStatus.BAD_REQUEST, `request body is not valid JSON: ${exception.message}`);
    }
    if (isDependencyUnavailable(exception)) {
      return this.body(HttpStatus.SERVICE_UNAVAILABLE, 'the database or the job queue was not reachable for this request; send it again in a few seconds');
    }
    return this.body(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error');
  }

  private body(statusCode: number, message: string, details?: unknown): ErrorBody {
    const error = (HttpStatus[statusCode] ?? 'Error')
      .toString()
      .toLowerCase()
      .replace(/(^|_)(\w)/g, (_m, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase());
    return details === undefined ? { statusCode, error, message } : { statusCode, error, message, details };
  }
}

function isBodyParserError(error: unknown): error is Error & { type: string } {
  return error instanceof Error && typeof (error as { type?: unknown }).type === 'string' && (error as { status?: number }).status === 400;
}
