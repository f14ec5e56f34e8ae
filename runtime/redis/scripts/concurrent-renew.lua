-- concurrent-renew: push a held lease's expiry forward while its holder still runs, so a job (or a `within` block)
-- that outlasts `lease` keeps its place; only a holder that dies lets its lease lapse. A lease already dropped (its
-- holder stalled past its expiry and another acquire removed it) is not taken back: that would pass the limit.
--
-- KEYS[1]  the limiter's leases (ZSET: holder → expiry, epoch ms)
-- ARGV[1]  the holder
-- ARGV[2]  the lease's new expiry, epoch ms
-- ARGV[3]  the lease's length, ms (the key lives that long after its last renewal)
--
-- Returns 1 when renewed, 0 when the holder no longer has a lease.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
