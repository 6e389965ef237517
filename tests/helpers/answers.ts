import { errorBody, toApiError } from '../../src/lib/http/errors';

/** The HTTP answer the route wrapper gives for what `act` throws: status and the body's error. */
export function answerTo(act: () => unknown) {
  try {
    act();
  } catch (error) {
    const apiError = toApiError(error);
    if (!apiError) throw error;
    return { status: apiError.status, ...errorBody(apiError).error };
  }
  throw new Error('expected an error');
}
