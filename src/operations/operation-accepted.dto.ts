import { ApiProperty } from '@nestjs/swagger';

/** The answer to every request that starts work: 202 with the operation to follow. */
export class OperationAccepted {
  @ApiProperty({ format: 'uuid', description: 'follow it at GET /api/operations/{id}' })
  operationId!: string;
}
