import { CheckpointError } from '@pofa/core';

/** The CheckpointError `run` rejects with; anything else (or no error) fails the test. */
export async function checkpointErrorOf(run: () => Promise<unknown>): Promise<CheckpointError> {
  const error = await run().then(() => undefined, (caught: unknown) => caught);
  if (CheckpointError.isInstance(error)) return error;
  throw new Error(`expected a CheckpointError, got ${String(error)}`);
}
