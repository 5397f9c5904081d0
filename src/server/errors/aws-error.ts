import { isFloeError, type FloeError } from '../../domain/index.js';

/** The two wire protocols of the SageMaker-compatible API; each has its own error shape. */
export type AwsProtocol = 'json-1.1' | 'rest-json';

export interface AwsErrorResponse {
  status: number;
  /** The error name the AWS SDK turns into its typed exception. */
  type: string;
  message: string;
  /** Headers and body as the protocol wants them. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Where the models of the two clients name a condition differently. The runtime models
 * (`@aws-sdk/client-sagemaker-featurestore-runtime`) name ValidationError and AccessForbidden;
 * the control plane (`@aws-sdk/client-sagemaker`, like every AWS JSON 1.1 service) says
 * ValidationException and AccessDeniedException.
 */
const CONTROL_PLANE_NAMES: Record<string, string> = {
  ValidationError: 'ValidationException',
  AccessForbidden: 'AccessDeniedException',
};

/** Errors raised by the HTTP layer (fastify) itself, all a client's doing unless 5xx. */
interface HttpLayerError {
  statusCode?: number;
  code?: string;
  message: string;
}

/**
 * The one mapping from errors to the AWS error shapes: a FloeError keeps its HTTP status and
 * SageMaker name; a client error of the HTTP layer (body too large, bad content) becomes a
 * validation error with its own status; anything else is an internal failure, never blamed on
 * the client and never leaking its message.
 */
export function toAwsError(error: unknown, protocol: AwsProtocol): AwsErrorResponse {
  const { status, name, message: raw } = classify(error);
  const type = protocol === 'json-1.1' ? (CONTROL_PLANE_NAMES[name] ?? name) : name;
  if (protocol === 'json-1.1') {
    const message = isFloeError(error) ? pascalCaseField(raw, error.field) : raw;
    return {
      status,
      type,
      message,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
      body: JSON.stringify({ __type: type, message }),
    };
  }
  return {
    status,
    type,
    message: raw,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ Message: raw }),
  };
}

/** True when the error is the server's fault (logged at error level, answered as InternalFailure). */
export function isServerFault(error: unknown): boolean {
  return classify(error).status >= 500;
}

function classify(error: unknown): { status: number; name: string; message: string } {
  if (isFloeError(error)) return fromFloe(error);
  const http = error as HttpLayerError | undefined;
  if (http && typeof http.statusCode === 'number' && http.statusCode >= 400 && http.statusCode < 500) {
    return { status: http.statusCode, name: 'ValidationError', message: describeHttpError(http) };
  }
  return { status: 500, name: 'InternalFailure', message: 'the server failed to process the request; see its log' };
}

function fromFloe(error: FloeError): { status: number; name: string; message: string } {
  return { status: error.httpStatus, name: error.sagemakerName, message: error.message };
}

/**
 * The SDK names fields in camelCase (`featureDefinitions[2].featureName`); the control plane's
 * callers sent `FeatureDefinitions[2].FeatureName`, so its messages say that. Only paths of
 * request properties are rewritten; runtime fields can be feature names and are left alone.
 */
export function pascalCaseField(message: string, field: string | undefined): string {
  if (field === undefined || !message.startsWith(`${field}:`)) return message;
  const pascal = field
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('.');
  return pascal + message.slice(field.length);
}

function describeHttpError(error: HttpLayerError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body: the request body is larger than the server accepts';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'body: the Content-Length does not match the body';
    default:
      return error.message;
  }
}
