import { HttpStatus } from '@nestjs/common';

/** Typed errors; the global filter maps the code to the HTTP status. */
export enum ErrorCode {
  Invalid = 'invalid',
  NotFound = 'not_found',
  Conflict = 'conflict',
  Forbidden = 'forbidden',
  Unauthenticated = 'unauthenticated',
  Unavailable = 'unavailable',
  TooMany = 'too_many',
}

const STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.Invalid]: HttpStatus.BAD_REQUEST,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.TooMany]: HttpStatus.TOO_MANY_REQUESTS,
};

export class AppException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** seconds; sent as Retry-After */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get status(): HttpStatus {
    return STATUS[this.code];
  }

  static notFound(what: string): AppException {
    return new AppException(ErrorCode.NotFound, `${what} not found`);
  }

  static invalid(message: string, details?: unknown): AppException {
    return new AppException(ErrorCode.Invalid, message, details);
  }

  static conflict(message: string, details?: unknown): AppException {
    return new AppException(ErrorCode.Conflict, message, details);
  }

  static tooMany(message: string, retryAfterSeconds: number, details?: unknown): AppException {
    return new AppException(ErrorCode.TooMany, message, details, Math.max(1, Math.ceil(retryAfterSeconds)));
  }

  static unavailable(message: string, retryAfterSeconds: number): AppException {
    return new AppException(ErrorCode.Unavailable, message, undefined, Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}
