/** A command used the wrong way: the message and the usage text are printed, and it exits with 2. */
export class UsageError extends Error {}
