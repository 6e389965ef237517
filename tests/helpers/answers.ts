import { errorBody, toApiError } from '../../src/lib/http/errors';

/** The HTTP answer the route wrapper gives for what `act` throws: status and the body's error. */
export function answerTo(act: () => unknown) {
  try {
    act();
  } catch (error) {
    return answerFor(error);
  }
  throw new Error('expected an error');
}

/** answerTo for an act that is async: the answer for what it rejects with. */
export async function answerToAsync(act: () => Promise<unknown>) {
  try {
    await act();
  } catch (error) {
    return answerFor(error);
  }
  throw new Error('expected an error');
}

function answerFor(error: unknown) {
  const apiError = toApiError(error);
  if (!apiError) throw error;
  return { status: apiError.status, ...errorBody(apiError).error };
}
