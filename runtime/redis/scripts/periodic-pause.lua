-- periodic-pause: pause or resume a declared periodic entry (the data API and the Web UI). The flag lives in the
-- entry's state, which deploys keep; an entry that is not declared (any more) is left without state.
--
-- KEYS[1]  the periodic definitions hash (sidepunch:periodic)
-- KEYS[2]  the entry's state hash (sidepunch:periodic:<name>)
-- ARGV[1]  the entry's name
-- ARGV[2]  '1' to pause, '0' to resume
-- ARGV[3]  now, epoch seconds (kept as the pause's time)
--
-- Returns 1, or 0 when no such entry is declared.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[2], 'paused', ARGV[3])
else
  redis.call('HDEL', KEYS[2], 'paused')
end
return 1
