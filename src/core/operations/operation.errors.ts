/**
 * Thrown by a job handler when trying again cannot help (bad input, the CA
 * refused for good). The runner marks the operation failed at once.
 */
export class PermanentJobError extends Error {}

/**
 * The site's web host cannot be reached now (its agent is offline or never
 * started). The operation waits, saying so, and is tried again by itself;
 * other hosts' work goes on.
 */
export class HostUnavailableError extends Error {
  constructor(
    readonly hostName: string,
    readonly since?: Date,
  ) {
    super(since ? `waiting for host ${hostName} (offline since ${since.toISOString()})` : `waiting for host ${hostName} (its agent has never been seen)`);
  }
}
