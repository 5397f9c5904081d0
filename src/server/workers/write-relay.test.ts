import { describe, expect, it } from 'vitest';
import { isFloeError, NotFoundError, StorageFullError, ValidationError } from '../../domain/index.js';
import { toAwsError } from '../errors/aws-error.js';
import { errorFromWire, errorToWire } from './write-relay.js';

describe('errors of relayed puts, from the primary back to the worker', () => {
  const silent = { error: () => undefined };

  it('keep their type, message and field, so the worker answers as the primary would', () => {
    for (const error of [
      new ValidationError("age: 'old' is not an Integral", { field: 'age' }),
      new NotFoundError("featureGroupName: feature group 'gone' does not exist"),
      new StorageFullError('write-ahead log: the disk is full'),
    ]) {
      const back = errorFromWire(structuredClone(errorToWire(error, silent)));
      expect(back).toBeInstanceOf(error.constructor);
      expect(back).toMatchObject({ message: error.message, field: error.field });
      expect(toAwsError(back, 'rest-json')).toEqual(toAwsError(error, 'rest-json'));
    }
  });

  it('keep an untyped fault’s text in the primary’s log: the client gets InternalFailure and no detail', () => {
    const logged: unknown[] = [];
    const wire = errorToWire(new Error('EIO: /srv/floe/wal/00000001.log'), { error: (entry: unknown) => logged.push(entry) });
    expect(JSON.stringify(wire)).not.toContain('/srv/floe');
    expect(logged).toHaveLength(1);
    const back = errorFromWire(wire);
    expect(isFloeError(back)).toBe(false);
    const answer = toAwsError(back, 'rest-json');
    expect(answer.status).toBe(500);
    expect(answer.body).not.toContain('/srv/floe');
  });
});
