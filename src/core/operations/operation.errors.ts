/**
 * Thrown by a job handler when trying again cannot help (bad input, the CA
 * refused for good). The runner marks the operation failed at once.
 */
export class PermanentJobError extends Error {}
