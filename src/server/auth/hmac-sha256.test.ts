import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacKey, hmacSha256 } from './hmac-sha256.js';

describe('hmacSha256', () => {
  it('gives what createHmac gives, for keys up to and beyond a block and messages of any text', () => {
    const messages = ['', 'a', 'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n', 'ünïcødé ✓ 𝄞', 'x'.repeat(1000)];
    for (const keyLength of [0, 1, 31, 32, 63, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      for (const message of messages) {
        expect(hmacSha256(hmacKey(key), message).toString('hex')).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }
    }
  });

  it('matches RFC 4231 test case 2', () => {
    const key = hmacKey(Buffer.from('Jefe'));
    expect(hmacSha256(key, 'what do ya want for nothing?').toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});
