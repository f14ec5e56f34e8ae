export * from '../../scripts/redis-server.js';
