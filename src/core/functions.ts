/**
 * Function values shared across modules. Internal.
 *
 * @module
 */

/** Does nothing: a placeholder callback and the handler of a settled promise nobody reads. */
export function noop(): void {}
