-- periodic-pause: pause or resume a declared periodic entry (the data API and the Web UI). The flag lives in the
-- entry's state, which deploys keep; an entry that is not declared (any more) is left without state. A resume of a
-- paused entry records the latest tick that passed while it was paused as `paused_through`, which
-- periodic-enqueue.lua counts as taken: a tick of the pause is never enqueued later, by a process that slept
-- through it or by the missed-tick catch-up at start-up. Resuming an entry that is not paused changes nothing.
--
-- KEYS[1]  the periodic definitions hash (sidepunch:periodic)
-- KEYS[2]  the entry's state hash (sidepunch:periodic:<name>)
-- ARGV[1]  the entry's name
-- ARGV[2]  '1' to pause, '0' to resume
-- ARGV[3]  now, epoch seconds (kept as the pause's time)
-- ARGV[4]  on resume, the entry's latest tick at or before now, epoch seconds; empty when it has none
--
-- Returns 1, or 0 when no such entry is declared.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[2], 'paused', ARGV[3])
elseif redis.call('HDEL', KEYS[2], 'paused') == 1 and ARGV[4] ~= '' then
  local through = tonumber(redis.call('HGET', KEYS[2], 'paused_through') or '-1')
  if tonumber(ARGV[4]) > through then redis.call('HSET', KEYS[2], 'paused_through', ARGV[4]) end
end
return 1
