import { randomUUID } from 'node:crypto';
import { onlineStoreBehaviour } from '../online-store.suite.js';
import { ioredisClient } from './ioredis-client.js';
import { RedisOnlineStore } from './redis-online-store.js';

onlineStoreBehaviour('Redis', async () => new RedisOnlineStore(ioredisClient('redis://127.0.0.1:6379'), `floe-test:${randomUUID()}:`));
