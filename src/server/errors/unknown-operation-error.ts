import { FloeError } from '../../domain/index.js';

/** A call the API does not offer: AWS answers UnknownOperationException (400), and so does Floe. */
export class UnknownOperationError extends FloeError {
  readonly code = 'ValidationError' as const;
  readonly httpStatus = 400;
  readonly sagemakerName = 'UnknownOperationException';
}
