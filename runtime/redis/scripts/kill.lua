-- kill: move chosen members of a sorted set (retry, schedule, or dead itself) into the dead set, then trim the dead
-- set as Sidekiq does on every add. A member that left the set meanwhile (retried, promoted, deleted) is skipped,
-- so a job is never both queued and dead.
--
-- KEYS[1]  the sorted set the members are in
-- KEYS[2]  the dead set
-- ARGV[1]  now, epoch seconds: the members' time of death (their new score)
-- ARGV[2]  entries of the dead set scored at or before this are removed (now - 180 days)
-- ARGV[3]  the dead set keeps at most this many entries, the newest
-- ARGV[4…] the members, exactly as stored
--
-- Returns the members that moved.
local moved = {}
for i = 4, #ARGV do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[1], ARGV[i])
    moved[#moved + 1] = ARGV[i]
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[3]) - 1)
return moved
