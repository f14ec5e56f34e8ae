-- concurrent-acquire: take a lease on a concurrency limiter if fewer than its limit are held. Expired leases (their
-- holder died) are dropped first, so they come back on their own.
--
-- KEYS[1]  the limiter's leases (ZSET: holder → expiry, epoch ms)
-- ARGV[1]  now, epoch ms
-- ARGV[2]  the limit
-- ARGV[3]  the holder (a jid, unique per run)
-- ARGV[4]  the lease's expiry, epoch ms
-- ARGV[5]  the lease's length, ms (the key lives that long after its last lease: relative, so fake clocks work)
--
-- Returns 1 when the lease was taken, 0 when the limit is reached.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
