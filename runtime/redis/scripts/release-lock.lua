-- release-lock: let go of a lock only if this holder still has it. A holder that outlasted its lock's expiry
-- must not delete the lock another holder has taken since.
--
-- KEYS[1]  the lock (a STRING holding its holder's identity)
-- ARGV[1]  the holder letting go
--
-- Returns 1 if the lock was released, 0 if another holder had it (or nobody did).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
